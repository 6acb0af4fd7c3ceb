package io.outrigger.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PeerTextTest {

    @Test
    void aPathWithANewlineCannotForgeALogLine() {
        byte[] path = "no-slash\n12:00:00.000 [main] INFO forged - all good".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(new byte[] {0x4F, 0x52, 1, 0, 1, 0, 0, (byte) path.length, 0, 0, 0, 1});
        frame.writeBytes(new byte[12]); // no timeout, no metadata, no body
        frame.writeBytes(path);

        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ProtocolLimits.DEFAULT));
        Throwable error = catchThrowable(() -> channel.writeInbound(Unpooled.wrappedBuffer(frame.toByteArray())));
        channel.finishAndReleaseAll();

        assertThat(error).isInstanceOf(DecoderException.class);
        assertThat(error.getCause().getMessage())
                .isEqualTo(
                        "request path \"no-slash\\n12:00:00.000 [main] INFO forged - all good\" is not service/method");
    }

    @Test
    void controlCharactersAreEscapedAndLongTextCut() {
        assertThat(PeerText.safe("a\tb\r\n\u0000\u2028c")).isEqualTo("a\\tb\\r\\n\\u0000\\u2028c");
        assertThat(PeerText.safe("plain")).isEqualTo("plain");
        assertThat(PeerText.safe("x".repeat(1000)))
                .startsWith("x".repeat(PeerText.MAX_LENGTH) + "...")
                .endsWith("(1000 characters)");
        // Escaping must not lift the cap: 255 control characters would be 1530 once escaped.
        assertThat(PeerText.safe("\u009f".repeat(255)))
                .hasSizeLessThan(PeerText.MAX_LENGTH + 30)
                .endsWith("...(255 characters)");
    }
}
