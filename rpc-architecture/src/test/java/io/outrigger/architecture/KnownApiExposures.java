package io.outrigger.architecture;

import java.util.List;

/**
 * The public signatures that named an {@code io.netty} or {@code internal} type when the check
 * came: debt to pay off, one entry per public class and exposed type, each with its reason.
 *
 * <p>Adding an entry is an API decision: it needs a review and a reason. {@link PublicApiTest} also
 * fails when an entry is no longer needed, so that paid debt is struck off the list.
 */
final class KnownApiExposures {

    static final List<KnownApiExposure> ALL = List.of(
            new KnownApiExposure(
                    "io.outrigger.spring.boot.OutriggerAutoConfiguration",
                    "io.outrigger.spring.boot.internal.RpcReferenceInjector",
                    "the @Bean method of the @RpcReference field injector returns its own type, as Spring reads"
                            + " bean types from signatures; it could return Spring's BeanPostProcessor type"),
            new KnownApiExposure(
                    "io.outrigger.spring.boot.OutriggerClients",
                    "io.outrigger.spring.boot.internal.ReferenceSpec",
                    "references() feeds the starter's own health indicator and info contributor; it could be"
                            + " package-private or return a public view of each reference"));

    private KnownApiExposures() {}
}
