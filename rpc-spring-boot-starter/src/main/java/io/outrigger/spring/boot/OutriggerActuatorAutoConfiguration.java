package io.outrigger.spring.boot;

import io.outrigger.core.registry.Registry;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator support, when Spring Boot Actuator is on the class path and Outrigger is configured: the
 * {@code outrigger} health component ({@link OutriggerHealthIndicator}; {@code
 * management.health.outrigger.enabled=false} turns it off) and the {@code outrigger} info section
 * ({@link OutriggerInfoContributor}; {@code management.info.outrigger.enabled=false}).
 */
@AutoConfiguration(after = OutriggerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(OutriggerClients.class)
public class OutriggerActuatorAutoConfiguration {

    /** Used by Spring. */
    public OutriggerActuatorAutoConfiguration() {}

    /** The {@code outrigger} health component. */
    @Bean
    @ConditionalOnMissingBean(name = "outriggerHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("outrigger")
    public OutriggerHealthIndicator outriggerHealthIndicator(
            Registry registry, OutriggerServer server, OutriggerClients clients, OutriggerProperties properties) {
        return new OutriggerHealthIndicator(registry, server, clients, properties);
    }

    /** The {@code outrigger} info section. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnEnabledInfoContributor("outrigger")
    public OutriggerInfoContributor outriggerInfoContributor(OutriggerServer server, OutriggerClients clients) {
        return new OutriggerInfoContributor(server, clients);
    }
}
