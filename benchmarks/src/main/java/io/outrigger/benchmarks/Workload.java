package io.outrigger.benchmarks;

/**
 * The calls a benchmark client makes: the classic rpc-benchmark set plus a 1 KiB echo.
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
    ECHO_1K("echo1k");

    private final String label;

    Workload(String label) {
        this.label = label;
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
