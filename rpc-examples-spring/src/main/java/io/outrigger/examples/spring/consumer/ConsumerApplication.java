package io.outrigger.examples.spring.consumer;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The consumer: a web application whose {@code GET /hello?name=...} calls the provider through an
 * {@code @RpcReference} (configuration in {@code consumer.properties}; actuator's {@code
 * /actuator/health} and {@code /actuator/info} show Outrigger's state).
 */
@SpringBootApplication
public class ConsumerApplication {

    /** Starts the consumer. */
    public static void main(String[] args) {
        new SpringApplicationBuilder(ConsumerApplication.class)
                .properties("spring.config.name=consumer")
                .run(args);
    }
}
