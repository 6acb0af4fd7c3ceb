package io.outrigger.core.service;

/**
 * How many messages each side of a method sends, told by its Java signature ({@link
 * java.util.concurrent.Flow.Publisher} marks the streaming sides):
 *
 * <pre>{@code
 * User getUser(GetUserRequest request);                                 // UNARY
 * CompletionStage<User> getUserAsync(GetUserRequest request);           // UNARY
 * Flow.Publisher<User> listUsers(ListUsersRequest request);             // SERVER_STREAMING
 * CompletionStage<UploadReply> upload(Flow.Publisher<Chunk> chunks);    // CLIENT_STREAMING
 * Flow.Publisher<ChatMessage> chat(Flow.Publisher<ChatMessage> in);     // BIDI_STREAMING
 * }</pre>
 */
public enum MethodKind {
    /** One request, one response. */
    UNARY(false, false),
    /** One request, a stream of responses. */
    SERVER_STREAMING(false, true),
    /** A stream of requests, one response. */
    CLIENT_STREAMING(true, false),
    /** A stream each way. */
    BIDI_STREAMING(true, true);

    private final boolean clientStreams;
    private final boolean serverStreams;

    MethodKind(boolean clientStreams, boolean serverStreams) {
        this.clientStreams = clientStreams;
        this.serverStreams = serverStreams;
    }

    /** Whether the client sends a stream of messages. */
    public boolean clientStreams() {
        return clientStreams;
    }

    /** Whether the server sends a stream of messages. */
    public boolean serverStreams() {
        return serverStreams;
    }

    /** Whether either side streams. */
    public boolean isStreaming() {
        return clientStreams || serverStreams;
    }

    /** The kind with these streaming sides. */
    static MethodKind of(boolean clientStreams, boolean serverStreams) {
        return clientStreams
                ? (serverStreams ? BIDI_STREAMING : CLIENT_STREAMING)
                : (serverStreams ? SERVER_STREAMING : UNARY);
    }
}
