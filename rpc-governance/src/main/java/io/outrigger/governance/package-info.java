/**
 * Service governance for Outrigger clients and servers: load balancing, routing and canary splits,
 * failover with a retry budget, circuit breakers, rate limits and bulkheads, fallbacks, and rules
 * applied live.
 *
 * <p>Start from {@link io.outrigger.governance.ClientGovernance#builder()} and {@link
 * io.outrigger.governance.ServerGovernance#builder()}; per-service rules come through {@link
 * io.outrigger.governance.LiveRules}. The chain order and the reasons for it are on {@link
 * io.outrigger.governance.ClientGovernance}. Everything under {@code internal} may change without
 * notice.
 */
package io.outrigger.governance;
