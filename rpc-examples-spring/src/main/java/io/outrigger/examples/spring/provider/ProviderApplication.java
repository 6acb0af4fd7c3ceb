package io.outrigger.examples.spring.provider;

import io.outrigger.registry.EmbeddedZooKeeper;
import java.util.Arrays;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The provider: exports {@link GreeterServiceImpl} (configuration in {@code provider.properties}).
 *
 * <p>Unless an {@code --outrigger.registry.address=...} argument points elsewhere, it first starts a
 * ZooKeeper inside the process on 127.0.0.1:2181 (when that port is free), so the examples need
 * nothing installed. A second provider (another terminal) finds the port taken and uses that
 * ZooKeeper.
 */
@SpringBootApplication
public class ProviderApplication {

    /** Starts the provider. */
    public static void main(String[] args) {
        EmbeddedZooKeeper zk = null;
        if (Arrays.stream(args).noneMatch(a -> a.startsWith("--outrigger.registry.address="))) {
            try {
                zk = EmbeddedZooKeeper.start(2181);
            } catch (RuntimeException portTaken) {
                // Another provider already runs one: share it.
            }
        }
        EmbeddedZooKeeper embedded = zk;
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ProviderApplication.class)
                .properties("spring.config.name=provider")
                .registerShutdownHook(false)
                .run(args);
        // One hook, in order: the provider unregisters and drains, then the embedded ZooKeeper stops.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.close();
            if (embedded != null) {
                embedded.close();
            }
        }));
    }
}
