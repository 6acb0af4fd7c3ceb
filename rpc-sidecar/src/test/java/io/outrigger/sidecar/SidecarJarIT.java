package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.sidecar.Python.Answer;
import io.outrigger.sidecar.Python.Request;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The packaged jar, run as users run it: {@code java -jar rpc-sidecar/target/rpc-sidecar.jar}. */
class SidecarJarIT {

    static final Path JAR = Path.of(System.getProperty("sidecar.jar", "target/rpc-sidecar.jar"));
    static final Pattern READY = Pattern.compile("outrigger-sidecar ready http=127\\.0\\.0\\.1:(\\d+)");

    @Test
    void helpDocumentsEveryFlag() throws Exception {
        Process p = java("--help").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out)
                .contains("--registry zookeeper://HOST:PORT[,HOST:PORT...]")
                .contains("--http HOST:PORT")
                .contains("--rpc HOST:PORT")
                .contains("--export SERVICE=URL")
                .contains("--cache-dir DIR")
                .contains("--config FILE")
                .contains("--help");
    }

    @Test
    void badFlagsExitWithStatus2() throws Exception {
        Process p = java("--http", "nowhere").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("--http").contains("HOST:PORT");
    }

    @Test
    void aPortInUseExitsWithStatus1AndSaysWhy() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = java("--http", "127.0.0.1:" + taken.getLocalPort())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("cannot listen for HTTP on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void startsQuicklyAndCarriesAPythonCallToAJavaProvider() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new EchoServiceImpl())
                .interceptor(ServiceReflection.of(EchoService.class))
                .build()
                .start();
        long begin = System.nanoTime();
        Process sidecar = java("--http", "127.0.0.1:0", "--static", "test.EchoService=127.0.0.1:" + provider.port())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(sidecar.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertThat(line).isNotNull();
            Matcher m = READY.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            int port = Integer.parseInt(m.group(1));
            long cpuMillis = cpuMillis(sidecar.pid());
            Thread.sleep(500);
            long idleRss = rssKb(sidecar.pid());
            System.out.printf(
                    "sidecar jar: ready %d ms after launch (%d ms of CPU); idle RSS %d KiB%n",
                    startMillis, cpuMillis, idleRss);
            // The CPU it takes to start does not depend on how busy the machine is; the wall time does,
            // so it only gets a bound that catches a hang (builds run in parallel on small machines).
            assertThat(cpuMillis).as("CPU time to start").isLessThan(2000);
            assertThat(startMillis).as("time from launch to ready").isLessThan(10_000);

            Request[] calls = new Request[200];
            for (int i = 0; i < calls.length; i++) {
                calls[i] = i % 2 == 0
                        ? Request.post("/rpc/test.EchoService/echo", "application/x-protobuf")
                                .echo("p" + i, 0)
                        : Request.post("/rpc/test.EchoService/echo", "application/json")
                                .body("{\"text\":\"j" + i + "\"}");
            }
            List<Answer> answers = Python.call(port, calls);
            assertThat(answers).extracting(Answer::status).containsOnly(200);
            assertThat(answers.get(0).replyText()).isEqualTo("p0");
            assertThat(answers.get(1).body()).isEqualTo("{\"text\":\"j1\"}");
            System.out.printf("sidecar jar: RSS after 200 calls %d KiB%n", rssKb(sidecar.pid()));

            sidecar.destroy(); // SIGTERM: graceful shutdown
            assertThat(sidecar.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            sidecar.destroyForcibly();
            provider.shutdown(Duration.ofSeconds(1));
        }
    }

    static ProcessBuilder java(String... args) {
        List<String> command = new java.util.ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** User plus system CPU time of a process, from /proc (clock ticks of 10 ms). */
    static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
