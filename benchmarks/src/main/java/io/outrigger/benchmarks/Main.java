package io.outrigger.benchmarks;

import io.outrigger.benchmarks.internal.ClientMain;
import io.outrigger.benchmarks.internal.Comparison;
import io.outrigger.benchmarks.internal.ServerMain;

/**
 * The benchmarks jar's entry point.
 *
 * <pre>
 * java -jar benchmarks.jar compare [--quick] [--targets dubbo,grpc,...] [--rounds 3] ...
 * java -jar benchmarks.jar server --target grpc --port 20880        (started by compare)
 * java -jar benchmarks.jar client --target grpc --port 20880 ...    (started by compare)
 * java -jar benchmarks.jar targets
 * </pre>
 *
 * JMH benchmarks run with {@code java -cp benchmarks.jar org.openjdk.jmh.Main}.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "compare" : args[0];
        int from = args.length == 0 ? 0 : 1;
        switch (command) {
            case "compare" -> Comparison.run(args, from);
            case "server" -> ServerMain.run(args, from);
            case "client" -> ClientMain.run(args, from);
            case "targets" -> {
                for (String name : Targets.names()) {
                    System.out.println(name + "\t" + Targets.named(name).description());
                }
            }
            default -> {
                if (command.startsWith("--")) {
                    Comparison.run(args, 0);
                } else {
                    System.err.println("usage: compare [options] | server ... | client ... | targets");
                    System.exit(2);
                }
            }
        }
    }
}
