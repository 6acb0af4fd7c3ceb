/**
 * Implementation details of {@code rpc-governance}: the load balancers and routers, the failover,
 * failfast, failsafe and forking interceptors with the retry budget, Resilience4j breakers and
 * limits, fallbacks, timeouts, and the parsing and storing of live rule documents.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. Choose and
 * configure these through {@code ClientGovernance}, {@code ServerGovernance} and {@code LiveRules}.
 */
package io.outrigger.governance.internal;
