package io.outrigger.spring.boot.internal;

import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.spring.boot.AccessControlProperties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the {@link AccessControl} of {@code outrigger.server.access-control.*}, checking every entry
 * first: whatever is wrong stops the application naming the entry, e.g. {@code Property
 * outrigger.server.access-control.rules[1].callers with value '[]' is invalid: expected at least one
 * identity, or "*" for any authenticated caller}. Token values are never shown.
 */
public final class AccessControlFromProperties {

    private static final String PREFIX = "server.access-control.";

    private AccessControlFromProperties() {}

    /**
     * The access control, or null when no rule and no anonymous entry is set.
     *
     * @param verifier the application's {@code TokenVerifier} bean, which replaces {@code tokens}; or null
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the entry that is wrong
     */
    public static AccessControl build(AccessControlProperties p, TokenVerifier verifier) {
        return build(p, verifier, true);
    }

    /**
     * Checks the properties alone, at binding time (a {@code TokenVerifier} bean is not known yet).
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the entry that is wrong
     */
    public static void check(AccessControlProperties p) {
        build(p, null, false);
    }

    private static AccessControl build(AccessControlProperties p, TokenVerifier verifier, boolean complete) {
        TokenVerifier fromProperties = tokens(p.getTokens());
        if (!p.isConfigured()) {
            if (fromProperties != null) {
                throw InvalidProperty.of(
                        PREFIX + "rules",
                        List.of(),
                        "at least one rule when tokens are set (access control is on only with rules or"
                                + " anonymous entries)");
            }
            return null;
        }
        AccessControl.Builder b = AccessControl.builder();
        TokenVerifier tokens = verifier != null ? verifier : fromProperties;
        if (tokens != null) {
            b.tokens(tokens);
        } else if (!complete && !p.isCertificateIdentities()) {
            // A TokenVerifier bean may still come; checked again when the server is built.
            b.tokens(token -> Optional.empty());
        }
        if (!p.isCertificateIdentities()) {
            b.ignoreCertificates();
        }
        List<AccessControlProperties.Rule> rules = p.getRules();
        for (int i = 0; i < rules.size(); i++) {
            AccessControlProperties.Rule rule = rules.get(i);
            String name = PREFIX + "rules[" + i + "]";
            target(name, rule);
            List<String> callers = rule.getCallers();
            if (callers == null || callers.isEmpty() || callers.stream().anyMatch(c -> c == null || c.isBlank())) {
                throw InvalidProperty.of(
                        name + ".callers", callers, "at least one identity, or \"*\" for any authenticated caller");
            }
            b.allow(
                    rule.getService().strip(),
                    rule.getMethod().strip(),
                    callers.stream().map(String::strip).toArray(String[]::new));
        }
        List<AccessControlProperties.Target> anonymous = p.getAnonymous();
        for (int i = 0; i < anonymous.size(); i++) {
            AccessControlProperties.Target t = anonymous.get(i);
            target(PREFIX + "anonymous[" + i + "]", t);
            b.allowAnonymous(t.getService().strip(), t.getMethod().strip());
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw InvalidProperty.of(
                    PREFIX + "certificate-identities",
                    false,
                    "true, or bearer tokens (" + "outrigger." + PREFIX + "tokens or a TokenVerifier bean):"
                            + " with neither, no caller can be identified");
        }
    }

    private static void target(String name, AccessControlProperties.Target t) {
        String service = t.getService();
        if (service == null || service.isBlank()) {
            throw InvalidProperty.of(name + ".service", service, "a service name, e.g. demo.UserService, or \"*\"");
        }
        String method = t.getMethod();
        if (method == null || method.isBlank() || method.indexOf('/') >= 0) {
            throw InvalidProperty.of(name + ".method", method, "a method name, or \"*\" for every method");
        }
        if (service.strip().equals(AccessControl.ANY) && !method.strip().equals(AccessControl.ANY)) {
            throw InvalidProperty.of(
                    name + ".method",
                    method,
                    "\"*\" when service is \"*\" (a rule for every service covers every method)");
        }
    }

    private static TokenVerifier tokens(List<AccessControlProperties.Token> tokens) {
        if (tokens == null || tokens.isEmpty()) {
            return null;
        }
        Map<String, String> byToken = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            AccessControlProperties.Token t = tokens.get(i);
            String name = PREFIX + "tokens[" + i + "]";
            if (t.getIdentity() == null || t.getIdentity().isBlank()) {
                throw InvalidProperty.of(
                        name + ".identity", t.getIdentity(), "the caller's identity, as named in rules");
            }
            String token = t.getToken();
            if (token == null || token.isEmpty()) {
                throw InvalidProperty.of(name + ".token", null, "the secret token sent by " + t.getIdentity());
            }
            if (token.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw InvalidProperty.of(
                        name + ".token",
                        InvalidProperty.HIDDEN,
                        "a single word, without whitespace or control characters");
            }
            Integer earlier = index.putIfAbsent(token, i);
            if (earlier != null) {
                throw InvalidProperty.of(
                        name + ".token",
                        InvalidProperty.HIDDEN,
                        "a token of its own (the same as tokens[" + earlier
                                + "], so one token would name two callers)");
            }
            byToken.put(token, t.getIdentity().strip());
        }
        return TokenVerifier.of(byToken);
    }
}
