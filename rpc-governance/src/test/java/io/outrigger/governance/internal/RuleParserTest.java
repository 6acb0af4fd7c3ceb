package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.Status;
import org.junit.jupiter.api.Test;

class RuleParserTest {

    static final String FULL = """
            {
              "description": "canary 2.0 at 5%, getUser capped",
              "weights": {"127.0.0.1:7001": 50, "127.0.0.1:7002": 0},
              "routing": {
                "versions": ["1.*", "2.*"],
                "group": "blue",
                "splits": [{"version": "2.*", "percent": 5}, {"tag": "canary", "percent": 1.5}],
                "splitKeyHeader": "user-id"
              },
              "timeouts": {"*": 2000, "getUser": 300},
              "retry": {"maxAttempts": 2, "retryOn": ["unavailable"], "retryIdempotentOn": ["DEADLINE_EXCEEDED"],
                        "budgetPercent": 20, "attemptTimeoutMillis": 100},
              "circuitBreaker": {"failureRatePercent": 40, "minimumCalls": 10, "windowSize": 50, "openMillis": 5000,
                                 "halfOpenCalls": 2, "slowCallMillis": 1000, "slowCallRatePercent": 80,
                                 "failureCodes": ["UNAVAILABLE"]},
              "endpointBreaker": {"failureRatePercent": 60},
              "serverLimits": {"*": {"maxConcurrent": 64}, "getUser": {"permitsPerSecond": 100}},
              "clientLimits": {"getUser": {"permitsPerSecond": 50, "maxConcurrent": 8}},
              "degrade": ["listUsers"]
            }
            """;

    @Test
    void parsesEveryField() {
        ServiceRules r = RuleParser.parse(FULL);
        assertThat(r.weight("127.0.0.1:7001")).isEqualTo(50);
        assertThat(r.weight("127.0.0.1:7002")).isZero();
        assertThat(r.weight("127.0.0.1:7003")).isEqualTo(-1);
        assertThat(r.versions()).hasToString("[1.*, 2.*]");
        assertThat(r.group()).isEqualTo("blue");
        assertThat(r.splits()).hasSize(2);
        assertThat(r.splitKeyHeader()).isEqualTo("user-id");
        assertThat(r.timeoutMillis("getUser")).isEqualTo(300);
        assertThat(r.timeoutMillis("other")).isEqualTo(2000);
        assertThat(r.retry().maxAttempts()).isEqualTo(2);
        assertThat(r.retryOn()).containsExactly(Status.Code.UNAVAILABLE);
        assertThat(r.retryIdempotentOn()).containsExactly(Status.Code.DEADLINE_EXCEEDED);
        assertThat(r.document().circuitBreaker().halfOpenCalls()).isEqualTo(2);
        assertThat(r.document().serverLimits()).containsKeys("*", "getUser");
        assertThat(r.degraded("listUsers")).isTrue();
        assertThat(r.degraded("getUser")).isFalse();
    }

    @Test
    void noDocumentMeansNoRules() {
        assertThat(RuleParser.parse(null)).isSameAs(ServiceRules.NONE);
        assertThat(RuleParser.parse("  ")).isSameAs(ServiceRules.NONE);
        assertThat(RuleParser.parse("{}").timeoutMillis("x")).isEqualTo(-1);
    }

    @Test
    void anOldReaderAppliesANewerDocumentIgnoringAndNamingTheFieldsItDoesNotKnow() {
        // Written for a later Outrigger: a new section, a new field in a known one, one in a list.
        ServiceRules rules = RuleParser.parse("""
                {"retry": {"maxAttempts": 2, "hedgeAfterMillis": 30},
                 "adaptiveConcurrency": {"target": "p99"},
                 "routing": {"splits": [{"version": "2.*", "percent": 5, "sticky": true}]}}
                """);

        assertThat(rules.retry().maxAttempts()).isEqualTo(2);
        assertThat(rules.splits()).hasSize(1);
        assertThat(rules.ignoredFields())
                .containsExactly("retry.hedgeAfterMillis", "adaptiveConcurrency", "routing.splits[0].sticky");
        assertThat(RuleParser.parse("{\"retry\": {\"maxAttempts\": 2}}").ignoredFields())
                .isEmpty();
    }

    @Test
    void aDocumentMayRequireANewerReaderAndIsThenRejectedWhole() {
        assertThatThrownBy(() -> RuleParser.parse("{\"minReaderVersion\": 99, \"retry\": {\"maxAttempts\": 1}}"))
                .hasMessageContaining("needs a rule reader of version 99 or later")
                .hasMessageContaining("this one is version " + RuleParser.READER_VERSION);
        assertThat(RuleParser.parse("{\"minReaderVersion\": " + RuleParser.READER_VERSION + "}")
                        .ignoredFields())
                .isEmpty();
    }

    @Test
    void outOfRangeValuesAreRejectedSayingWhatWasExpected() {
        assertThatThrownBy(() -> RuleParser.parse("{\"retry\": {\"maxAttempts\": 0}}"))
                .hasMessageContaining("retry.maxAttempts: 0 (expected: 1..10)");
        assertThatThrownBy(() -> RuleParser.parse("{\"weights\": {\"a:1\": 10001}}"))
                .hasMessageContaining("weights.a:1: 10001 (expected: 0..10000)");
        assertThatThrownBy(() -> RuleParser.parse("{\"timeouts\": {\"getUser\": 0}}"))
                .hasMessageContaining("timeouts.getUser: 0");
        assertThatThrownBy(
                        () -> RuleParser.parse(
                                "{\"routing\": {\"splits\": [{\"version\": \"2.*\", \"percent\": 70}, {\"tag\": \"c\", \"percent\": 40}]}}"))
                .hasMessageContaining("add up to 110.0 (expected: <= 100)");
        assertThatThrownBy(() -> RuleParser.parse("{\"routing\": {\"splits\": [{\"percent\": 5}]}}"))
                .hasMessageContaining("$.routing.splits[0]")
                .hasMessageContaining("exactly one of \"version\" and \"tag\"");
        assertThatThrownBy(() -> RuleParser.parse("{\"serverLimits\": {\"getUser\": {}}}"))
                .hasMessageContaining("give \"permitsPerSecond\", \"maxConcurrent\" or both");
        assertThatThrownBy(() -> RuleParser.parse("{\"circuitBreaker\": {\"failureRatePercent\": 0}}"))
                .hasMessageContaining("failureRatePercent: 0.0 (expected: > 0 and <= 100)");
    }

    @Test
    void wrongTypesDuplicatesBadPatternsAndBadCodesAreRejected() {
        assertThatThrownBy(() -> RuleParser.parse("{\"retry\": {\"maxAttempts\": \"3\"}}"))
                .hasMessageContaining("$.retry.maxAttempts");
        assertThatThrownBy(() -> RuleParser.parse("{\"retry\": {\"maxAttempts\": 2.5}}"))
                .hasMessageContaining("$.retry.maxAttempts");
        assertThatThrownBy(() -> RuleParser.parse("{\"routing\": {\"group\": 5}}"))
                .hasMessageContaining("$.routing.group");
        assertThatThrownBy(() -> RuleParser.parse("{\"degrade\": [], \"degrade\": [\"x\"]}"))
                .hasMessageContaining("Duplicate field 'degrade'");
        assertThatThrownBy(() -> RuleParser.parse("{\"routing\": {\"versions\": [\"2*\"]}}"))
                .hasMessageContaining("version pattern: \"2*\"");
        assertThatThrownBy(() -> RuleParser.parse("{\"retry\": {\"retryOn\": [\"UNAVAILBLE\"]}}"))
                .hasMessageContaining("unknown status code \"UNAVAILBLE\"");
        assertThatThrownBy(() -> RuleParser.parse("{\"retry\": {\"retryOn\": [\"OK\"]}}"))
                .hasMessageContaining("OK (expected: a failure code)");
        assertThatThrownBy(() -> RuleParser.parse("{\"degrade\": [null]}")).hasMessageContaining("degrade: null entry");
        assertThatThrownBy(() -> RuleParser.parse("{\"routing\": {\"splits\": [null]}}"))
                .hasMessageContaining("routing.splits: null entry");
        assertThatThrownBy(() -> RuleParser.parse("{} {}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RuleParser.parse("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RuleParser.parse("{\"weights\": ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void versionPatterns() {
        VersionPattern two = VersionPattern.parse("2.*");
        assertThat(two.matches("2")).isTrue();
        assertThat(two.matches("2.0")).isTrue();
        assertThat(two.matches("2.1.3")).isTrue();
        assertThat(two.matches("20.1")).isFalse();
        assertThat(two.matches("")).isFalse();
        assertThat(VersionPattern.parse("1.4.0").matches("1.4.0")).isTrue();
        assertThat(VersionPattern.parse("1.4.0").matches("1.4.01")).isFalse();
        assertThat(VersionPattern.parse("*").matches("")).isTrue();
        assertThatThrownBy(() -> VersionPattern.parse("*.1")).hasMessageContaining("expected");
        assertThatThrownBy(() -> VersionPattern.parse("")).hasMessageContaining("expected");
    }
}
