package io.outrigger.benchmarks;

import com.google.protobuf.ByteString;
import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The data every target sends and returns, in protobuf and in plain-Java form, with the same
 * values so that the encodings carry the same information.
 *
 * <p>Clients send the constant requests below. Servers build a fresh response for every call.
 */
public final class SampleData {

    /** The argument of {@code existUser}. */
    public static final String EMAIL = "doug.lea@example.org";

    /** The argument of {@code getUser}. */
    public static final long USER_ID = 42L;

    /** The argument of {@code listUser}. */
    public static final int PAGE_NO = 3;

    /** Users in a page returned by {@code listUser}. */
    public static final int PAGE_SIZE = 15;

    /** The size of the {@code echo1k} payload. */
    public static final int ECHO_SIZE = 1024;

    /** The largest echo payload (1 MiB); each smaller one is a prefix of it. */
    private static final byte[] LARGEST_ECHO = new byte[Workload.ECHO_1M.payloadBytes()];

    static {
        new Random(1).nextBytes(LARGEST_ECHO);
    }

    private static final byte[] ECHO_BYTES = Arrays.copyOf(LARGEST_ECHO, ECHO_SIZE);
    private static final ByteString[] ECHO_BYTE_STRINGS = new ByteString[Workload.values().length];

    static {
        for (Workload w : Workload.values()) {
            if (w.isEcho()) {
                ECHO_BYTE_STRINGS[w.ordinal()] = ByteString.copyFrom(LARGEST_ECHO, 0, w.payloadBytes());
            }
        }
    }

    private static final long BIRTHDAY = -33_004_800_000L; // 1968-12-15
    private static final long CREATED = 1_767_225_600_000L; // 2026-01-01
    private static final List<Integer> PERMISSIONS = List.of(1, 2, 3, 4, 5, 6, 7, 8, 19, 88, 86, 89, 90, 91, 92);
    private static final String NAME = "Doug Lea";
    private static final String MOBILE = "18612345678";
    private static final String ADDRESS = "北京市 中关村 中关村大街1号 鼎好大厦 1605";
    private static final String ICON = "https://static.example.org/img/avatar/42.png";

    /** The user sent by {@code createUser}, in protobuf form. */
    public static final User PROTO_USER = protoUser(USER_ID);

    /** The user sent by {@code createUser}, as a plain Java bean. */
    public static final io.outrigger.benchmarks.dubbo.User POJO_USER = pojoUser(USER_ID);

    private SampleData() {}

    /** A copy of the 1 KiB echo payload. */
    public static byte[] echoBytes() {
        return ECHO_BYTES.clone();
    }

    /** The 1 KiB echo payload as an immutable protobuf {@link ByteString}. */
    public static ByteString echoByteString() {
        return ByteString.copyFrom(ECHO_BYTES);
    }

    /** A copy of the payload of the echo workload {@code workload}. */
    public static byte[] echoBytes(Workload workload) {
        return echoByteString(workload).toByteArray();
    }

    /**
     * The payload of the echo workload {@code workload} as an immutable (shared) {@link ByteString}.
     *
     * @throws IllegalArgumentException if {@code workload} is not an echo
     */
    public static ByteString echoByteString(Workload workload) {
        ByteString payload = ECHO_BYTE_STRINGS[workload.ordinal()];
        if (payload == null) {
            throw new IllegalArgumentException(workload.label() + " is not an echo workload");
        }
        return payload;
    }

    /** The echo request of {@code workload}, in protobuf form (shared, immutable). */
    public static EchoMessage echoMessage(Workload workload) {
        return EchoMessage.newBuilder().setPayload(echoByteString(workload)).build();
    }

    /** What the server answers to {@code existUser}. */
    public static boolean existUser(String email) {
        return !email.isEmpty();
    }

    /** Builds the user {@code getUser(id)} returns, in protobuf form. */
    public static User protoUser(long id) {
        return User.newBuilder()
                .setId(id)
                .setName(NAME)
                .setSex(1)
                .setBirthday(BIRTHDAY)
                .setEmail(EMAIL)
                .setMobile(MOBILE)
                .setAddress(ADDRESS)
                .setIcon(ICON)
                .addAllPermissions(PERMISSIONS)
                .setStatus(1)
                .setCreateTime(CREATED)
                .setUpdateTime(CREATED)
                .build();
    }

    /** Builds the page {@code listUser(pageNo)} returns, in protobuf form. */
    public static Page protoPage(int pageNo) {
        Page.Builder page = Page.newBuilder().setPageNo(pageNo).setTotal(1000);
        for (int i = 0; i < PAGE_SIZE; i++) {
            page.addResult(protoUser((long) pageNo * PAGE_SIZE + i));
        }
        return page.build();
    }

    /** Builds the user {@code getUser(id)} returns, as a plain Java bean. */
    public static io.outrigger.benchmarks.dubbo.User pojoUser(long id) {
        io.outrigger.benchmarks.dubbo.User user = new io.outrigger.benchmarks.dubbo.User();
        user.setId(id);
        user.setName(NAME);
        user.setSex(1);
        user.setBirthday(BIRTHDAY);
        user.setEmail(EMAIL);
        user.setMobile(MOBILE);
        user.setAddress(ADDRESS);
        user.setIcon(ICON);
        user.setPermissions(new ArrayList<>(PERMISSIONS));
        user.setStatus(1);
        user.setCreateTime(CREATED);
        user.setUpdateTime(CREATED);
        return user;
    }

    /** Builds the page {@code listUser(pageNo)} returns, as a plain Java bean. */
    public static io.outrigger.benchmarks.dubbo.Page pojoPage(int pageNo) {
        List<io.outrigger.benchmarks.dubbo.User> users = new ArrayList<>(PAGE_SIZE);
        for (int i = 0; i < PAGE_SIZE; i++) {
            users.add(pojoUser((long) pageNo * PAGE_SIZE + i));
        }
        io.outrigger.benchmarks.dubbo.Page page = new io.outrigger.benchmarks.dubbo.Page();
        page.setPageNo(pageNo);
        page.setTotal(1000);
        page.setResult(users);
        return page;
    }

    /**
     * Checks that {@code response} is the right answer to {@code workload}, whatever form the
     * target returns it in. Used once per workload before measuring, not on the measured path.
     *
     * @throws IllegalStateException if it is not
     */
    public static void verify(Workload workload, Object response) {
        boolean ok = switch (workload) {
            case EXIST_USER, CREATE_USER ->
                Boolean.TRUE.equals(response) || (response instanceof BoolResponse b && b.getValue());
            case GET_USER ->
                (response instanceof User u && u.equals(protoUser(USER_ID)))
                        || (response instanceof io.outrigger.benchmarks.dubbo.User bean
                                && bean.getId() == USER_ID
                                && ADDRESS.equals(bean.getAddress())
                                && PERMISSIONS.equals(bean.getPermissions()));
            case LIST_USER ->
                (response instanceof Page p && p.equals(protoPage(PAGE_NO)))
                        || (response instanceof io.outrigger.benchmarks.dubbo.Page bean
                                && bean.getPageNo() == PAGE_NO
                                && bean.getResult().size() == PAGE_SIZE
                                && bean.getResult().get(0).getId() == (long) PAGE_NO * PAGE_SIZE);
            case ECHO_1K, ECHO_64K, ECHO_1M ->
                (response instanceof EchoMessage e && e.getPayload().equals(echoByteString(workload)))
                        || (response instanceof byte[] bytes
                                && echoByteString(workload).equals(ByteString.copyFrom(bytes)));
        };
        if (!ok) {
            throw new IllegalStateException("wrong response to " + workload.label() + ": "
                    + (response == null ? "null" : response.getClass().getName()));
        }
    }
}
