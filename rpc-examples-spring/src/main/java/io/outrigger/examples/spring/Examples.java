package io.outrigger.examples.spring;

import io.outrigger.examples.spring.consumer.ConsumerApplication;
import io.outrigger.examples.spring.provider.ProviderApplication;
import java.util.Arrays;

/**
 * The jar's entry point: {@code java -jar rpc-examples-spring.jar provider|consumer [--property=value
 * ...]}.
 */
public final class Examples {

    private Examples() {}

    /** Runs the application named by the first argument. */
    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (which) {
            case "provider" -> ProviderApplication.main(rest);
            case "consumer" -> ConsumerApplication.main(rest);
            default -> {
                System.err.println("usage: java -jar rpc-examples-spring.jar provider|consumer [--name=value ...]");
                System.exit(2);
            }
        }
    }
}
