package io.outrigger.spring.boot;

import io.outrigger.core.auth.AccessControl;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code outrigger.server.access-control.*}: who may call which service and method of this server,
 * built into an {@link AccessControl} for the server's auth slot, which runs before the rate limits.
 * On when {@code rules} or {@code anonymous} has an entry; an application's own {@code
 * AccessControl} bean replaces all of it, and its own {@code TokenVerifier} bean replaces {@code
 * tokens}.
 *
 * <pre>
 * outrigger:
 *   server:
 *     access-control:
 *       tokens:
 *         - identity: admin
 *           token: ${ADMIN_TOKEN}
 *       rules:
 *         - service: demo.UserService          # method "*": every method
 *           callers: [billing, admin]
 *         - service: demo.UserService
 *           method: deleteUser                 # overrides the service's rule for this method
 *           callers: [admin]
 *       anonymous:
 *         - service: grpc.health.v1.Health
 * </pre>
 *
 * <p>A caller is identified by its bearer token, else by its verified client certificate (the
 * subject's CN). Without a rule for a service (nor a rule for service {@code "*"}), its calls are
 * denied. Tokens are kept as SHA-256 digests and never logged.
 */
public class AccessControlProperties {

    /** Bearer tokens accepted, each with the identity it stands for; several may share an identity. */
    private List<Token> tokens = new ArrayList<>();

    /** Who may call what: service ("*": every service without its own rule), method ("*"), callers. */
    private List<Rule> rules = new ArrayList<>();

    /** Services and methods anyone may call, even without credentials (e.g. a health check). */
    private List<Target> anonymous = new ArrayList<>();

    /** Whether a verified client certificate identifies its caller (by CN); false: tokens only. */
    private boolean certificateIdentities = true;

    /** Used by Spring. */
    public AccessControlProperties() {}

    /** Whether access control is configured: some rule or anonymous entry is set. */
    public boolean isConfigured() {
        return !rules.isEmpty() || !anonymous.isEmpty();
    }

    /** The bearer tokens accepted. */
    public List<Token> getTokens() {
        return tokens;
    }

    /** See {@link #getTokens()}. */
    public void setTokens(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** The rules. */
    public List<Rule> getRules() {
        return rules;
    }

    /** See {@link #getRules()}. */
    public void setRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** What anyone may call. */
    public List<Target> getAnonymous() {
        return anonymous;
    }

    /** See {@link #getAnonymous()}. */
    public void setAnonymous(List<Target> anonymous) {
        this.anonymous = anonymous;
    }

    /** Whether client certificates identify callers. */
    public boolean isCertificateIdentities() {
        return certificateIdentities;
    }

    /** See {@link #isCertificateIdentities()}. */
    public void setCertificateIdentities(boolean certificateIdentities) {
        this.certificateIdentities = certificateIdentities;
    }

    /** A bearer token and the identity of the caller it was issued to. */
    public static class Token {

        /** The caller's identity, as named in rules' callers. */
        private String identity;

        /** The token (a secret: take it from the environment or a secret store, e.g. ${ADMIN_TOKEN}). */
        private String token;

        /** Used by Spring. */
        public Token() {}

        /** The identity. */
        public String getIdentity() {
            return identity;
        }

        /** See {@link #getIdentity()}. */
        public void setIdentity(String identity) {
            this.identity = identity;
        }

        /** The token. */
        public String getToken() {
            return token;
        }

        /** See {@link #getToken()}. */
        public void setToken(String token) {
            this.token = token;
        }

        @Override
        public String toString() {
            return "Token[identity=" + identity + ", token=<hidden>]";
        }
    }

    /** A service and method. */
    public static class Target {

        /** The service name, e.g. demo.UserService; "*" in a rule: every service without its own rule. */
        private String service;

        /** The method name; "*": every method of the service. */
        private String method = AccessControl.ANY;

        /** Used by Spring. */
        public Target() {}

        /** The service name. */
        public String getService() {
            return service;
        }

        /** See {@link #getService()}. */
        public void setService(String service) {
            this.service = service;
        }

        /** The method name, or "*". */
        public String getMethod() {
            return method;
        }

        /** See {@link #getMethod()}. */
        public void setMethod(String method) {
            this.method = method;
        }
    }

    /** The callers allowed to call a service's method. */
    public static class Rule extends Target {

        /** The identities allowed; "*": any authenticated caller. */
        private List<String> callers = new ArrayList<>();

        /** Used by Spring. */
        public Rule() {}

        /** The identities allowed. */
        public List<String> getCallers() {
            return callers;
        }

        /** See {@link #getCallers()}. */
        public void setCallers(List<String> callers) {
            this.callers = callers;
        }
    }
}
