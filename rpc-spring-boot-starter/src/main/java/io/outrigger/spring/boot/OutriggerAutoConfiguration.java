package io.outrigger.spring.boot;

import io.opentelemetry.api.OpenTelemetry;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.governance.LiveRules;
import io.outrigger.observability.AdminSection;
import io.outrigger.observability.AdminSections;
import io.outrigger.observability.AdminServer;
import io.outrigger.observability.OutriggerTelemetry;
import io.outrigger.registry.ZooKeeperRegistry;
import io.outrigger.spring.boot.internal.AccessControlFromProperties;
import io.outrigger.spring.boot.internal.RegistryAddress;
import io.outrigger.spring.boot.internal.RpcReferenceInjector;
import io.outrigger.spring.boot.internal.RpcReferenceParameterResolver;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AllNestedConditions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConfigurationCondition;

/**
 * Auto-configuration of Outrigger: active only when {@code outrigger.registry.address} is set (and
 * {@code outrigger.enabled} is not {@code false}), so adding the starter alone changes nothing.
 *
 * <p>Beans: the {@link Registry} (ZooKeeper or static; an application's own {@code Registry} bean
 * wins), the {@link LiveRules} read from it, {@link OutriggerClients} behind {@code @RpcReference},
 * {@link OutriggerServer} exporting {@code @RpcService} beans, and the admin endpoint when {@code
 * outrigger.admin.enabled}. Calls are traced and measured with the application's {@code
 * OpenTelemetry} bean when there is one and {@code outrigger.tracing.enabled} is not false.
 *
 * <p>Security: TLS from {@code outrigger.server.tls.*} and {@code outrigger.client.tls.*}; access
 * control from the application's {@link AccessControl} bean, else from {@code
 * outrigger.server.access-control.*} with the application's {@link TokenVerifier} bean (if any) in
 * place of its {@code tokens}; ZooKeeper ACLs from {@code outrigger.registry.credentials.*}. Then the
 * {@link RpcServerBuilderCustomizer} and {@link RpcClientBuilderCustomizer} beans, in order.
 */
@AutoConfiguration
@Conditional(OutriggerAutoConfiguration.OnOutriggerConfigured.class)
@EnableConfigurationProperties(OutriggerProperties.class)
public class OutriggerAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(OutriggerAutoConfiguration.class);

    /** Used by Spring. */
    public OutriggerAutoConfiguration() {}

    /** The registry named by {@code outrigger.registry.address}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Registry.class)
    public Registry outriggerRegistry(OutriggerProperties properties) {
        OutriggerProperties.Registry r = properties.getRegistry();
        RegistryAddress address = RegistryAddress.parse(r.getAddress());
        if (address.zooKeeper() == null) {
            return new StaticRegistry();
        }
        ZooKeeperRegistry.Builder builder = ZooKeeperRegistry.builder(address.zooKeeper())
                .namespace(r.getNamespace())
                .sessionTimeout(r.getSessionTimeout())
                .startupWait(r.getStartupWait())
                .fileCache(r.isFileCache())
                .fileCacheMaxAge(r.getFileCacheMaxAge());
        if (r.getCredentials().isConfigured()) {
            builder.credentials(
                            r.getCredentials().getUsername(), r.getCredentials().getPassword())
                    .worldReadable(r.isWorldReadable());
        }
        if (r.getCacheDirectory() != null && !r.getCacheDirectory().isBlank()) {
            builder.cacheDirectory(Path.of(r.getCacheDirectory()));
        }
        return builder.build();
    }

    /** The live governance rules: from ZooKeeper when the registry is one, else none. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LiveRules.class)
    public LiveRules outriggerLiveRules(OutriggerProperties properties, Registry registry) {
        if (registry instanceof ZooKeeperRegistry zk && properties.getRegistry().isRules()) {
            return LiveRules.from(zk.ruleSource());
        }
        return LiveRules.none();
    }

    /** The clients behind {@code @RpcReference}. */
    @Bean
    public OutriggerClients outriggerClients(
            OutriggerProperties properties,
            Registry registry,
            LiveRules rules,
            ObjectProvider<OpenTelemetry> openTelemetry,
            ObjectProvider<RpcClientBuilderCustomizer> customizers,
            ConfigurableListableBeanFactory beanFactory) {
        OutriggerProperties.Client c = properties.getClient();
        if ((c.getBearerToken() != null || c.getBearerTokenFile() != null)
                && !c.getTls().isOn()) {
            log.warn("outrigger.client.bearer-token is sent over plaintext connections, where anyone on the path"
                    + " can read and replay it: turn on outrigger.client.tls");
        }
        return new OutriggerClients(
                properties,
                registry,
                rules,
                telemetry(properties, openTelemetry),
                customizers.orderedStream().toList(),
                beanFactory);
    }

    /** The server exporting {@code @RpcService} beans. */
    @Bean
    public OutriggerServer outriggerServer(
            OutriggerProperties properties,
            Registry registry,
            LiveRules rules,
            ObjectProvider<OpenTelemetry> openTelemetry,
            ObjectProvider<AccessControl> accessControl,
            ObjectProvider<TokenVerifier> tokenVerifier,
            ObjectProvider<RpcServerBuilderCustomizer> customizers,
            ConfigurableListableBeanFactory beanFactory) {
        return new OutriggerServer(
                properties,
                registry,
                rules,
                telemetry(properties, openTelemetry),
                accessControl(properties, accessControl.getIfAvailable(), tokenVerifier.getIfAvailable()),
                customizers.orderedStream().toList(),
                beanFactory);
    }

    /**
     * The application's {@code AccessControl} bean, else the one of {@code
     * outrigger.server.access-control.*} with the application's {@code TokenVerifier} bean in place of
     * its tokens; null for none.
     */
    private static AccessControl accessControl(
            OutriggerProperties properties, AccessControl bean, TokenVerifier verifier) {
        AccessControlProperties p = properties.getServer().getAccessControl();
        if (bean != null) {
            if (p.isConfigured() || !p.getTokens().isEmpty()) {
                log.warn("outrigger.server.access-control.* is ignored: the application's AccessControl bean is"
                        + " installed instead");
            }
            return bean;
        }
        if (verifier != null && !p.getTokens().isEmpty()) {
            log.warn("outrigger.server.access-control.tokens is ignored: the application's TokenVerifier bean"
                    + " verifies bearer tokens instead");
        }
        AccessControl acl = AccessControlFromProperties.build(p, verifier);
        if (acl != null
                && (verifier != null || !p.getTokens().isEmpty())
                && !properties.getServer().getTls().isConfigured()) {
            log.warn("the server accepts bearer tokens on a plaintext port, where anyone on the path can read and"
                    + " replay them: set outrigger.server.tls.certificate and private-key");
        }
        return acl;
    }

    private static OutriggerTelemetry telemetry(OutriggerProperties properties, ObjectProvider<OpenTelemetry> otel) {
        if (!properties.getTracing().isEnabled()) {
            return null;
        }
        OpenTelemetry openTelemetry = otel.getIfUnique();
        return openTelemetry == null ? null : OutriggerTelemetry.create(openTelemetry);
    }

    /** Injects {@code @RpcReference} fields. */
    @Bean
    public static RpcReferenceInjector outriggerReferenceInjector(ObjectProvider<OutriggerClients> clients) {
        return new RpcReferenceInjector(spec -> clients.getObject().reference(spec));
    }

    /** Resolves {@code @RpcReference} constructor parameters. */
    @Bean
    public static BeanFactoryPostProcessor outriggerReferenceParameters() {
        return beanFactory -> {
            if (beanFactory instanceof DefaultListableBeanFactory dlbf) {
                dlbf.setAutowireCandidateResolver(new RpcReferenceParameterResolver(
                        dlbf.getAutowireCandidateResolver(),
                        beanFactory,
                        spec -> beanFactory.getBean(OutriggerClients.class).reference(spec)));
            }
        };
    }

    /** The admin endpoint, started with the server. */
    @Bean
    @ConditionalOnProperty(prefix = "outrigger.admin", name = "enabled", havingValue = "true")
    public OutriggerAdmin outriggerAdmin(
            OutriggerProperties properties, OutriggerServer server, OutriggerClients clients, Registry registry) {
        return new OutriggerAdmin(properties, server, clients, registry);
    }

    /**
     * The admin HTTP endpoint ({@code GET /admin}, {@code GET /health}) of {@code rpc-observability},
     * started after the server (its sections show the server) and stopped before it.
     */
    public static final class OutriggerAdmin implements SmartLifecycle {
        private final OutriggerProperties properties;
        private final OutriggerServer server;
        private final OutriggerClients clients;
        private final Registry registry;
        private volatile AdminServer admin;

        OutriggerAdmin(
                OutriggerProperties properties, OutriggerServer server, OutriggerClients clients, Registry registry) {
            this.properties = properties;
            this.server = server;
            this.clients = clients;
            this.registry = registry;
        }

        @Override
        public synchronized void start() {
            AdminServer.Builder b = AdminServer.builder()
                    .host(properties.getAdmin().getHost())
                    .port(properties.getAdmin().getPort());
            if (server.rpcServer() != null) {
                b.section(AdminSections.exported(server.rpcServer()));
            }
            b.section(new AdminSection("referenced", () -> {
                Map<String, Object> all = new LinkedHashMap<>();
                for (RpcClient client : clients.clients()) {
                    Object content = AdminSections.referenced(client, service -> source(registry, service))
                            .content()
                            .get();
                    if (content instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> all.put(String.valueOf(k), v));
                    }
                }
                return all;
            }));
            b.section(new AdminSection("breakers", clients::breakerStates));
            if (registry instanceof ZooKeeperRegistry zk) {
                b.healthCheck("registry", zk::connected);
            }
            b.healthCheck("server", () -> server.state() != OutriggerServer.State.DRAINING);
            admin = b.build().start();
            log.info(
                    "Outrigger admin endpoint on http://{}:{}/admin",
                    properties.getAdmin().getHost(),
                    admin.port());
        }

        private static String source(Registry registry, String service) {
            if (registry instanceof ZooKeeperRegistry zk && zk.origin(service) != null) {
                return zk.origin(service).name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
            return AdminSections.REGISTRY;
        }

        @Override
        public synchronized void stop() {
            if (admin != null) {
                admin.close();
                admin = null;
            }
        }

        @Override
        public boolean isRunning() {
            return admin != null;
        }

        @Override
        public int getPhase() {
            return OutriggerServer.PHASE + 1;
        }

        /** The admin endpoint's port, or -1 when stopped. */
        public int port() {
            AdminServer a = admin;
            return a == null ? -1 : a.port();
        }
    }

    /** {@code outrigger.registry.address} is set and {@code outrigger.enabled} is not false. */
    static final class OnOutriggerConfigured extends AllNestedConditions {
        OnOutriggerConfigured() {
            super(ConfigurationCondition.ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "outrigger.registry", name = "address")
        static final class AddressSet {}

        @ConditionalOnProperty(prefix = "outrigger", name = "enabled", havingValue = "true", matchIfMissing = true)
        static final class Enabled {}
    }
}
