package io.outrigger.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.testing.FrameFuzzer;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the frame decoder on {@code EmbeddedChannel}: at least {@code outrigger.fuzz.frames} (default
 * 100,000) random and mutated frames, in random chunks, half under small limits and half under the
 * defaults. Never an exception but a protocol error, never a decoded frame or a buffer over the
 * limits, never a leaked buffer (the leak-detection extension fails the class otherwise).
 *
 * <p>Longer run: {@code ./mvnw -pl rpc-core -am verify -Dtest=FrameDecoderFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Doutrigger.fuzz.frames=5000000}; another seed:
 * {@code -Doutrigger.fuzz.seed=...}.
 */
class FrameDecoderFuzzTest {

    static final long SEED = Long.getLong("outrigger.fuzz.seed", 20261109L);
    static final long FRAMES = Long.getLong("outrigger.fuzz.frames", 100_000L);

    static final ProtocolLimits SMALL = new ProtocolLimits(4096, 1024);

    @Test
    void mutatedFramesNeverEscapeTheLimitsOrThrowAnythingButProtocolErrors() {
        FrameFuzzer small = new FrameFuzzer(SEED, SMALL);
        FrameFuzzer defaults = new FrameFuzzer(SEED, ProtocolLimits.DEFAULT);
        Map<FrameFuzzer.Mutation, Integer> byMutation = new EnumMap<>(FrameFuzzer.Mutation.class);
        long frames = 0;
        long cases = 0;
        long decoded = 0;
        long oversized = 0;
        long protocolErrors = 0;
        int maxBufferedSmall = 0;
        int maxBufferedDefault = 0;
        long start = System.nanoTime();
        for (long i = 0; frames < FRAMES; i++) {
            boolean useSmall = (i & 1) == 0;
            ProtocolLimits limits = useSmall ? SMALL : ProtocolLimits.DEFAULT;
            FrameFuzzer.Case c = (useSmall ? small : defaults).next(i);
            DecoderRun run = DecoderRun.of(c.bytes(), limits, new SplittableRandom(SEED ^ i));

            assertThat(run.unexpected()).as("%s", c).isNull();
            assertThat(run.violation()).as("%s", c).isNull();
            if (run.protocolError() != null) {
                // Logged as is: a peer must not be able to forge log lines or flood the log.
                assertThat(run.protocolError().chars().noneMatch(Character::isISOControl))
                        .as("control characters in \"%s\" from %s", run.protocolError(), c)
                        .isTrue();
                assertThat(run.protocolError()).as("%s", c).hasSizeLessThan(600);
            }
            if (c.mutations().stream().allMatch(m -> m == FrameFuzzer.Mutation.NONE)) {
                // A stream left valid must decode completely and cleanly.
                assertThat(run.protocolError()).as("%s", c).isNull();
                assertThat(run.frames().size() + run.oversized()).as("%s", c).isEqualTo(c.frames());
            }
            c.mutations().forEach(m -> byMutation.merge(m, 1, Integer::sum));
            frames += c.frames();
            cases++;
            decoded += run.frames().size();
            oversized += run.oversized();
            protocolErrors += run.protocolError() != null ? 1 : 0;
            if (useSmall) {
                maxBufferedSmall = Math.max(maxBufferedSmall, run.maxBuffered());
            } else {
                maxBufferedDefault = Math.max(maxBufferedDefault, run.maxBuffered());
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "FrameDecoder fuzz: seed %d, %d frames in %d streams (%s); %d frames decoded, %d discarded as"
                        + " oversized, %d streams ended by a protocol error, 0 other exceptions; at most %d bytes"
                        + " buffered under small limits (bound %d), %d under the defaults (bound %d); %d ms%n",
                SEED,
                frames,
                cases,
                byMutation,
                decoded,
                oversized,
                protocolErrors,
                maxBufferedSmall,
                DecoderRun.bufferBound(SMALL),
                maxBufferedDefault,
                DecoderRun.bufferBound(ProtocolLimits.DEFAULT),
                millis);
        assertThat(frames).isGreaterThanOrEqualTo(FRAMES);
        // The generator must reach every outcome, or it tests less than it claims.
        assertThat(decoded).isPositive();
        assertThat(oversized).isPositive();
        assertThat(protocolErrors).isPositive();
    }

    @Test
    void validStreamsDecodeToTheSameFramesWhateverTheChunking() {
        FrameFuzzer fuzzer = new FrameFuzzer(SEED, ProtocolLimits.DEFAULT);
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < 2000; i++) {
            byte[] stream = fuzzer.validStream(r, 1 + r.nextInt(5));
            DecoderRun whole = DecoderRun.whole(stream, ProtocolLimits.DEFAULT);
            DecoderRun chunked = DecoderRun.of(stream, ProtocolLimits.DEFAULT, r.split());
            assertThat(chunked.protocolError()).isNull();
            assertThat(chunked.unexpected()).isNull();
            assertThat(chunked.frames()).hasSameSizeAs(whole.frames());
            for (int f = 0; f < whole.frames().size(); f++) {
                Frame a = whole.frames().get(f);
                Frame b = chunked.frames().get(f);
                assertThat(b.requestId()).isEqualTo(a.requestId());
                assertThat(b.service() + "/" + b.method()).isEqualTo(a.service() + "/" + a.method());
                assertThat(b.metadata()).isEqualTo(a.metadata());
                assertThat(b.body()).isEqualTo(a.body());
            }
        }
    }
}
