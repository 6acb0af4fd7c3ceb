package io.outrigger.benchmarks;

/**
 * The calls a benchmark client makes: the classic rpc-benchmark set plus an echo of 1 KiB, 64 KiB
 * or 1 MiB (the same {@code echo} method, a request of N bytes answered with the same N bytes).
 *
 * <p>Every target serves the same data: {@link SampleData} builds the requests on the client once,
 * and the server builds a fresh response for every call, as an application would.
 */
public enum Workload {
    /** {@code existUser(email) -> bool}: a tiny request and a tiny response. */
    EXIST_USER("existUser"),
    /** {@code createUser(User) -> bool}: a user (~12 fields) up, a boolean down. */
    CREATE_USER("createUser"),
    /** {@code getUser(id) -> User}: a long up, a user down. */
    GET_USER("getUser"),
    /** {@code listUser(pageNo) -> Page}: an int up, a page of 15 users down. */
    LIST_USER("listUser"),
    /** {@code echo(bytes) -> bytes}: 1 KiB up and the same 1 KiB down. */
    ECHO_1K("echo1k", 1024),
    /** {@code echo(bytes) -> bytes}: 64 KiB up and the same 64 KiB down. */
    ECHO_64K("echo64k", 64 * 1024),
    /** {@code echo(bytes) -> bytes}: 1 MiB up and the same 1 MiB down. */
    ECHO_1M("echo1m", 1024 * 1024);

    private final String label;
    private final int payloadBytes;

    Workload(String label) {
        this(label, 0);
    }

    Workload(String label, int payloadBytes) {
        this.label = label;
        this.payloadBytes = payloadBytes;
    }

    /**
     * The bytes of opaque payload one call carries each way (its echo), or 0 for the workloads
     * whose messages are structured data.
     */
    public int payloadBytes() {
        return payloadBytes;
    }

    /** Whether this is one of the echo workloads, all served by the {@code echo} method. */
    public boolean isEcho() {
        return payloadBytes > 0;
    }

    /**
     * The echo workload of {@code bytes} bytes: 1024, 65536 or 1048576.
     *
     * @throws IllegalArgumentException for any other size
     */
    public static Workload echoOf(int bytes) {
        for (Workload w : values()) {
            if (w.payloadBytes == bytes) {
                return w;
            }
        }
        throw new IllegalArgumentException("payload: " + bytes + " bytes (expected: 1k, 64k or 1m)");
    }

    /** The name used on the command line and in reports, e.g. {@code getUser}. */
    public String label() {
        return label;
    }

    /** Parses a label ({@code getUser}) or an enum name ({@code GET_USER}), ignoring case. */
    public static Workload parse(String text) {
        for (Workload w : values()) {
            if (w.label.equalsIgnoreCase(text) || w.name().equalsIgnoreCase(text)) {
                return w;
            }
        }
        throw new IllegalArgumentException(
                "unknown workload: " + text + " (expected one of " + String.join(", ", labels()) + ")");
    }

    static String[] labels() {
        Workload[] all = values();
        String[] labels = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            labels[i] = all[i].label;
        }
        return labels;
    }
}
