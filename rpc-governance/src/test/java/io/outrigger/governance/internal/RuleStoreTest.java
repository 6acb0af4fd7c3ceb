package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuleStoreTest {

    @Test
    void validDocumentsApplyAtOnceAndInvalidOnesKeepTheLastGoodRules() {
        InMemoryRuleSource source = new InMemoryRuleSource();
        source.set("demo.UserService", "{\"timeouts\": {\"*\": 100}}");
        RuleStore store = new RuleStore(source);

        RuleStore.Holder holder = store.holder("demo.UserService");
        assertThat(source.watchers("demo.UserService")).isEqualTo(1);
        assertThat(holder.rules().timeoutMillis("getUser")).isEqualTo(100);

        source.set("demo.UserService", "{\"timeouts\": {\"*\": 200}}");
        assertThat(holder.rules().timeoutMillis("getUser")).isEqualTo(200);

        ServiceRules good = holder.rules();
        source.set("demo.UserService", "{\"timeouts\": {\"*\": -1}}");
        assertThat(holder.rules()).isSameAs(good);
        assertThat(holder.lastRejection()).contains("timeouts.*: -1");

        source.set("demo.UserService", "{\"timeouts\": \"fast\"}");
        assertThat(holder.rules()).isSameAs(good);

        source.set("demo.UserService", null); // deleted: back to what code configured
        assertThat(holder.rules()).isSameAs(ServiceRules.NONE);
        assertThat(holder.lastRejection()).isNull();

        assertThat(store.holder("demo.UserService")).isSameAs(holder);
        store.close();
        assertThat(source.watchers("demo.UserService")).isZero();
    }
}
