package io.cascade.deploy;

import io.cascade.testing.Await;
import io.cascade.testing.RealClients;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/bin/cascade-cli, run as an operator runs it (python3, a separate process) against a node's real API: one-shot
 * verbs with their tables and key: value answers, --json, the token from the flag or the environment, the exit codes
 * (0 SUCCESS, 1 FAIL, 2 usage or no node), values with URL characters arriving as typed, TLS, and the interactive
 * prompt on a pseudo-terminal (script(1)) with history kept across sessions.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CascadeCliIT {
    private static final Path CLI = GrafanaDashboardIT.repoRoot().resolve("deploy/bin/cascade-cli");
    private static final String TOKEN = "cli-t0ken-never-printed";
    private static final String SECRET = "cli-test-secret-0123456789abcdef";
    private static final long RUN_SECONDS = 30;
    @TempDir
    static Path dataDir;
    @TempDir
    static Path home;
    private static CascadeNode node;
    private static int rtmp;
    private static int api;

    @BeforeAll
    static void startNode() throws Exception {
        api = Clients.freePort();
        rtmp = Clients.freePort();
        node = Clients.startSingle("cli", rtmp, 0, "api.port", String.valueOf(api), "api.token", TOKEN,
                "auth.secret", SECRET, "data.dir", dataDir.toString());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.stop();
        }
    }

    /** What one run of the CLI left: its exit code and both streams. */
    private record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + ", stdout: " + out + ", stderr: " + err;
        }
    }

    private static String here() {
        return "127.0.0.1:" + api;
    }

    /**
     * Runs the CLI with these arguments and environment variables over a clean environment (no CASCADE_NODE or
     * CASCADE_TOKEN from the caller's shell, a home of its own); no run may print the token or a traceback.
     */
    private static Run cli(Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>();
        all.put("CASCADE_NODE", null);
        all.put("CASCADE_TOKEN", null);
        all.put("HOME", home.toString());
        all.put("LC_ALL", "C.UTF-8");
        all.putAll(env);
        List<String> command = new ArrayList<>(List.of("python3", CLI.toString()));
        command.addAll(List.of(args));
        try (ExternalProcess p = ExternalProcess.start("cascade-cli", command, all)) {
            int exit = p.waitFor(RUN_SECONDS);
            Run run = new Run(exit, p.stdout(), p.stderr());
            assertFalse((run.out + run.err).contains(TOKEN), "the token was printed: " + run);
            assertFalse(run.err.contains("Traceback"), run.toString());
            return run;
        }
    }

    /** The CLI with the token in CASCADE_TOKEN, against the test's node. */
    private static Run cli(String... verbAndParams) throws Exception {
        List<String> args = new ArrayList<>(List.of("--node", here()));
        args.addAll(List.of(verbAndParams));
        return cli(Map.of("CASCADE_TOKEN", TOKEN), args.toArray(String[]::new));
    }

    /** The node's own answer, over HTTP without the CLI: what the CLI's output is checked against. */
    private static JsonObject direct(String verbAndQuery) throws Exception {
        HttpResponse<String> r = Http.sendText("GET", "http://" + here() + "/api/" + verbAndQuery, null,
                "Authorization", "Bearer " + TOKEN);
        return new JsonObject(r.body());
    }

    private static boolean hasPoint(String privateName) throws Exception {
        return direct("listIngestPoints").getJsonArray("data").stream().map(JsonObject.class::cast)
                .anyMatch(p -> privateName.equals(p.getString("privateStreamName")));
    }

    @Test
    void listStreamsOnAQuietNodeIsAnEmptyList() throws Exception {
        Run r = cli("listStreams");
        assertEquals(0, r.exit, r.toString());
        assertEquals("(none)", r.out.strip());
        assertEquals("", r.err);
        // listStreams is GET-only: a call with a parameter goes as a POST, is answered 405, and is asked again as GET
        Run withParameter = cli("listStreams", "note=a&b");
        assertEquals(0, withParameter.exit, withParameter.toString());
        assertEquals("(none)", withParameter.out.strip());
    }

    @Test
    void ingestPointsAreCreatedListedAsATableAndRemoved() throws Exception {
        String priv = "lobby-k3y9Qz";
        String pub = "hall";
        Run created = cli("createIngestPoint", "privateStreamName=" + priv, "publicStreamName=" + pub);
        assertEquals(0, created.exit, created.toString());
        assertEquals(List.of("ingest point created", "privateStreamName: " + priv, "publicStreamName: " + pub),
                created.out.lines().toList());
        assertTrue(hasPoint(priv), "the node has no point after the CLI said it created one");

        Run listed = cli("listIngestPoints");
        assertEquals(0, listed.exit, listed.toString());
        List<String> lines = listed.out.lines().toList();
        int header = IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith("privateStreamName"))
                .findFirst().orElseThrow(() -> new AssertionError("no table header: " + listed.out));
        assertTrue(lines.get(header).matches("privateStreamName +publicStreamName"), lines.get(header));
        assertTrue(lines.get(header + 1).matches("-+ +-+"), lines.get(header + 1));
        String row = lines.stream().filter(l -> l.startsWith(priv + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for the point: " + listed.out));
        assertTrue(row.matches(Pattern.quote(priv) + " +" + Pattern.quote(pub)), row);
        assertEquals(lines.get(header).indexOf("publicStreamName"), row.lastIndexOf(pub), "columns not aligned:\n"
                + listed.out);

        Run again = cli("createIngestPoint", "privateStreamName=" + priv, "publicStreamName=other");
        assertEquals(1, again.exit, again.toString());
        assertEquals("FAIL: the private name is already an ingest point", again.err.strip());
        assertEquals("", again.out);

        Run removed = cli("removeIngestPoint", "privateStreamName=" + priv);
        assertEquals(0, removed.exit, removed.toString());
        assertTrue(removed.out.startsWith("ingest point removed\n"), removed.out);
        assertFalse(hasPoint(priv), "the point is still there after the CLI removed it");
        assertFalse(cli("listIngestPoints").out.contains(priv));
        Run nothing = cli("removeIngestPoint", "privateStreamName=" + priv);
        assertEquals(1, nothing.exit, nothing.toString());
        assertEquals("FAIL: no ingest point has this private name", nothing.err.strip());
    }

    @Test
    void relaysAreAddedListedAndRemovedWithVerbsTypedAsEmsUsersTypeThem() throws Exception {
        int dead = Clients.freePort(); // nothing listens: the pull is kept and retried, which is what is listed
        Run added = cli("pullstream", "uri=rtmp://127.0.0.1:" + dead + "/live/src?token=hush-9f", "localStreamName=clipull");
        assertEquals(0, added.exit, added.toString());
        assertTrue(added.out.startsWith("pulling clipull\n"), added.out);
        assertFalse(added.out.contains("hush-9f"), "the URI's query is not echoed: " + added.out);
        String id = added.out.lines().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).findFirst()
                .orElseThrow(() -> new AssertionError("no id: " + added.out));

        Run listed = cli("listpullpushconfig");
        assertEquals(0, listed.exit, listed.toString());
        assertTrue(listed.out.lines().anyMatch(l -> l.startsWith("id ") && l.contains("localStreamName")),
                "a table with a header: " + listed.out);
        assertTrue(listed.out.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("clipull")), listed.out);
        assertFalse(listed.out.contains("hush-9f"), listed.out);

        Run bad = cli("pullStream", "uri=gopher://127.0.0.1/live/x", "localStreamName=other");
        assertEquals(1, bad.exit, bad.toString());
        assertTrue(bad.err.startsWith("FAIL: uri: scheme 'gopher' is not supported"), bad.err);

        Run removed = cli("removePullPushConfig", "id=" + id);
        assertEquals(0, removed.exit, removed.toString());
        assertEquals(0, direct("listPullPushConfig").getJsonArray("data").size());
    }

    /**
     * Every verb of the API, once, through the CLI, on a live stream: the ones the other cases do not drive already.
     * Each must succeed (exit 0), and the last, shutdownStream, must end the publisher.
     */
    @Test
    void everyVerbOfTheApiRunsThroughTheCli() throws Exception {
        try (ExternalProcess publisher = ExternalProcess.start("publish-cli",
                Clients.ffmpegPublish(Clients.rtmpUrl(rtmp, "everyverb"), 90))) {
            io.cascade.testing.Await.until(() -> "not live: " + publisher.describe(), java.time.Duration.ofSeconds(20),
                    () -> direct("listStreams").encode().contains("\"everyverb\""));
            int dead = Clients.freePort();
            List<List<String>> calls = List.of(
                    List.of("getServerInfo"), List.of("listNodes"), List.of("listStreams"),
                    List.of("getStreamInfo", "name=everyverb"), List.of("listConnections"),
                    List.of("createHLSStream", "localStreamNames=everyverb", "targetFolder=cli-hls"),
                    List.of("createDASHStream", "localStreamNames=everyverb", "targetFolder=cli-dash"),
                    List.of("listConfig"),
                    List.of("pickEdge", "stream=everyverb", "protocol=rtmp"),
                    List.of("pickIngest", "stream=another", "protocol=rtmp"),
                    List.of("pushStream", "uri=rtmp://127.0.0.1:" + dead + "/live", "localStreamName=everyverb",
                            "targetStreamName=away"),
                    List.of("listPullPushConfig"),
                    List.of("drainNode", "node=cli"), List.of("undrainNode", "node=cli"));
            for (List<String> call : calls) {
                Run r = cli(call.toArray(String[]::new));
                assertEquals(0, r.exit, String.join(" ", call) + ": " + r);
            }
            JsonObject outputs = direct("listConfig").getJsonObject("data");
            List<Object> configs = new ArrayList<>(outputs.getJsonArray("hls").getList());
            configs.addAll(outputs.getJsonArray("dash").getList());
            assertEquals(2, configs.size(), "the HLS and DASH outputs: " + outputs.encode());
            for (Object config : configs) {
                Object id = config instanceof JsonObject j ? j.getValue("configId") : ((java.util.Map<?, ?>) config).get("configId");
                Run removed = cli("removeConfig", "id=" + id);
                assertEquals(0, removed.exit, "removeConfig: " + removed);
            }
            for (Object relay : direct("listPullPushConfig").getJsonArray("data")) {
                Run removed = cli("removePullPushConfig", "id=" + ((JsonObject) relay).getString("id"));
                assertEquals(0, removed.exit, "removePullPushConfig: " + removed);
            }
            Run shutdown = cli("shutdownStream", "name=everyverb");
            assertEquals(0, shutdown.exit, "shutdownStream: " + shutdown);
            assertTrue(publisher.exited(15), "shutdownStream did not end ffmpeg's publish: " + publisher.describe());
        }
    }

    @Test
    void jsonPrintsTheEnvelopeTheNodeSent() throws Exception {
        assertEquals("SUCCESS", direct("createIngestPoint?privateStreamName=json-s3cr3t&publicStreamName=json")
                .getString("status"));
        Run listed = cli("--json", "listIngestPoints");
        assertEquals(0, listed.exit, listed.toString());
        assertEquals(direct("listIngestPoints"), new JsonObject(listed.out.strip()));

        Run failed = cli("removeIngestPoint", "privateStreamName=nobody-has-this", "--json");
        assertEquals(1, failed.exit, failed.toString());
        assertEquals(new JsonObject().put("status", "FAIL").put("description", "no ingest point has this private name"),
                new JsonObject(failed.out.strip()));
        assertEquals("FAIL: no ingest point has this private name", failed.err.strip());

        // no envelope from the node (the router's 404 for a verb it does not have): --json still prints one
        Run unknown = cli("--json", "noSuchVerb");
        assertEquals(1, unknown.exit, unknown.toString());
        JsonObject made = new JsonObject(unknown.out.strip());
        assertEquals("FAIL", made.getString("status"));
        assertTrue(made.getString("description").contains("no verb 'noSuchVerb'"), unknown.toString());
        direct("removeIngestPoint?privateStreamName=json-s3cr3t");
    }

    @Test
    void theTokenComesFromTheFlagOrTheEnvironmentAndFlagsWin() throws Exception {
        Run flag = cli(Map.of(), "--node", here(), "--token", TOKEN, "listIngestPoints");
        assertEquals(0, flag.exit, flag.toString());
        Run env = cli(Map.of("CASCADE_TOKEN", TOKEN), "--node", here(), "listIngestPoints");
        assertEquals(0, env.exit, env.toString());

        Run none = cli(Map.of(), "--node", here(), "listIngestPoints");
        assertEquals(1, none.exit, none.toString());
        assertEquals("FAIL: token required", none.err.strip());
        Run wrong = cli(Map.of(), "--node", here(), "--token", "not-the-token", "listIngestPoints");
        assertEquals(1, wrong.exit, wrong.toString());
        assertEquals("FAIL: token required", wrong.err.strip());
        Run wrongInEnv = cli(Map.of("CASCADE_TOKEN", "not-the-token"), "--node", here(), "listIngestPoints");
        assertEquals(1, wrongInEnv.exit, wrongInEnv.toString());

        Run flagOverEnv = cli(Map.of("CASCADE_TOKEN", "not-the-token"), "--node", here(), "--token", TOKEN,
                "listIngestPoints");
        assertEquals(0, flagOverEnv.exit, flagOverEnv.toString());
        Run wrongFlagOverEnv = cli(Map.of("CASCADE_TOKEN", TOKEN), "--node", here(), "--token", "not-the-token",
                "listIngestPoints");
        assertEquals(1, wrongFlagOverEnv.exit, wrongFlagOverEnv.toString());

        // the node from CASCADE_NODE, and --node over it
        Run nodeFromEnv = cli(Map.of("CASCADE_NODE", here(), "CASCADE_TOKEN", TOKEN), "listIngestPoints");
        assertEquals(0, nodeFromEnv.exit, nodeFromEnv.toString());
        Run nodeFlagOverEnv = cli(Map.of("CASCADE_NODE", "127.0.0.1:" + Clients.freePort(), "CASCADE_TOKEN", TOKEN),
                "--node", here(), "listIngestPoints");
        assertEquals(0, nodeFlagOverEnv.exit, nodeFlagOverEnv.toString());
    }

    @Test
    void noNodeAndUsageErrorsAreOneLineAndExit2() throws Exception {
        int nobody = Clients.freePort();
        Run unreachable = cli(Map.of("CASCADE_TOKEN", TOKEN), "--node", "127.0.0.1:" + nobody, "listStreams");
        assertEquals(2, unreachable.exit, unreachable.toString());
        assertEquals("", unreachable.out);
        assertEquals(1, unreachable.err.lines().count(), unreachable.err);
        assertTrue(unreachable.err.startsWith("cascade-cli: cannot reach 127.0.0.1:" + nobody + ": connection refused"),
                unreachable.err);

        for (List<String> wrong : List.of(List.of("createIngestPoint", "privateStreamName"),
                List.of("createIngestPoint", "a=1", "a=2"), List.of("../metrics"))) {
            Run r = cli(wrong.toArray(String[]::new));
            assertEquals(2, r.exit, wrong + ": " + r);
            assertEquals(1, r.err.lines().count(), wrong + ": " + r);
            assertTrue(r.err.startsWith("cascade-cli: "), wrong + ": " + r);
        }
        Run badPort = cli(Map.of(), "--node", "127.0.0.1:99999", "listStreams");
        assertEquals(2, badPort.exit, badPort.toString());
        assertEquals("cascade-cli: --node: '99999' is not a port (1..65535)", badPort.err.strip());
    }

    @Test
    void valuesWithUrlCharactersArriveAsTyped() throws Exception {
        // the API echoes a refused targetFolder in its description: every character must have arrived unchanged
        String folder = "../a b+c%41&d=e?f#g é=x";
        Run r = cli("createHLSStream", "localStreamNames=cam", "targetFolder=" + folder);
        assertEquals(1, r.exit, r.toString());
        assertEquals("FAIL: targetFolder: '" + folder + "' has a '..' segment; it must be a folder relative to data.dir"
                + " and inside it", r.err.strip());

        Run signed = cli("signUrl", "stream=test", "action=play", "ttl=60");
        assertEquals(0, signed.exit, signed.toString());
        assertTrue(signed.out.startsWith("play token for test\n"), signed.out);
        assertTrue(signed.out.contains("\nstream: test\naction: play\n"), signed.out);
        Matcher query = Pattern.compile("(?m)^query: expires=(\\d+)&sig=[0-9a-f]{64}$").matcher(signed.out);
        assertTrue(query.find(), signed.out);
        long expires = Long.parseLong(query.group(1));
        long now = System.currentTimeMillis() / 1000;
        assertTrue(expires > now && expires <= now + 61, "ttl=60 gave expires " + expires + " at " + now);
    }

    @Test
    void tlsWithTheCaOrInsecureAndAClearLineWithout() throws Exception {
        TestCa ca = TestCa.create("cli");
        Path[] pair = ca.issue("api", 0x7c);
        int tlsApi = Clients.freePort();
        CascadeNode tlsNode = Clients.startSingle("cli-tls", Clients.freePort(), 0, "api.port", String.valueOf(tlsApi),
                "api.tls", "true", "tls.cert", pair[0].toString(), "tls.key", pair[1].toString(),
                "data.dir", dataDir.resolve("tls").toString());
        try {
            String at = "127.0.0.1:" + tlsApi;
            Run trusted = cli(Map.of(), "--node", at, "--tls", "--cacert", ca.cert.toString(), "listStreams");
            assertEquals(0, trusted.exit, trusted.toString());
            assertEquals("(none)", trusted.out.strip());
            Run insecure = cli(Map.of(), "--node", at, "--tls", "--insecure", "listStreams");
            assertEquals(0, insecure.exit, insecure.toString());

            Run untrusted = cli(Map.of(), "--node", at, "--tls", "listStreams");
            assertEquals(2, untrusted.exit, untrusted.toString());
            assertEquals(1, untrusted.err.lines().count(), untrusted.err);
            assertTrue(untrusted.err.contains("certificate is not trusted") && untrusted.err.contains("--cacert"),
                    untrusted.err);
            Run plain = cli(Map.of(), "--node", at, "listStreams");
            assertEquals(2, plain.exit, plain.toString());
            assertEquals(1, plain.err.lines().count(), plain.err);
            assertTrue(plain.err.startsWith("cascade-cli: cannot reach " + at + ": "), plain.err);
        } finally {
            tlsNode.stop();
        }
    }

    @Test
    void theInteractivePromptRunsVerbsRecallsHistoryAndKeepsIt() throws Exception {
        assertEquals("SUCCESS", direct("createIngestPoint?privateStreamName=stage-hidd3n&publicStreamName=stage")
                .getString("status"));
        Path history = home.resolve(".cascade_cli_history");
        // an old history longer than the bound: the session keeps the newest lines only
        Files.write(history, IntStream.range(0, 1_500).mapToObj(i -> "listStreams old=" + i).toList());
        String prompt = "cascade " + here() + "> ";
        String row = "stage-hidd3n";
        try (Terminal t = new Terminal(Map.of("CASCADE_TOKEN", TOKEN), "--node", here())) {
            t.awaitText(prompt, 1);
            t.type("listIngestPoints\r");
            t.awaitText(row, 1);
            t.awaitText(prompt, 2);
            t.type("\u001b[A\r"); // up-arrow brings the line back, Enter runs it again
            t.awaitText(row, 2);
            t.awaitText(prompt, 3);
            t.type("createIngestPoint privateStreamName=x\r"); // a FAIL does not end the session
            t.awaitText("FAIL: privateStreamName and publicStreamName are required", 1);
            t.awaitText(prompt, 4);
            t.type("quit\r");
            assertEquals(0, t.exit(), t.screen());
            assertTrue(t.screen().contains("publicStreamName"), t.screen());
            assertFalse(t.screen().contains(TOKEN), "the token was printed");
        }
        List<String> kept = Files.readAllLines(history);
        assertTrue(kept.size() <= 1_000, "history not bounded: " + kept.size() + " lines");
        assertEquals(List.of("listIngestPoints", "createIngestPoint privateStreamName=x"),
                kept.subList(kept.size() - 2, kept.size()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));

        // a new session recalls the last session's line; Ctrl-D leaves as quit does
        try (Terminal t = new Terminal(Map.of("CASCADE_TOKEN", TOKEN), "--node", here())) {
            t.awaitText(prompt, 1);
            t.type("\u001b[A\u001b[A\r");
            t.awaitText(row, 1);
            t.awaitText(prompt, 2);
            t.type("\u0004");
            assertEquals(0, t.exit(), t.screen());
        }
        direct("removeIngestPoint?privateStreamName=stage-hidd3n");
    }

    /**
     * The CLI on a pseudo-terminal of its own (script(1) from util-linux), so Python's readline runs as at a real
     * terminal: keys go in as a person types them, the screen is read as it is drawn.
     */
    private static final class Terminal implements AutoCloseable {
        private final Process process;
        private final OutputStream keys;
        private final StringBuffer screen = new StringBuffer();

        Terminal(Map<String, String> env, String... cliArgs) throws IOException {
            RealClients.require("script");
            RealClients.require("python3");
            StringBuilder command = new StringBuilder("exec python3 ").append(shellQuoted(CLI.toString()));
            for (String a : cliArgs) {
                command.append(' ').append(shellQuoted(a));
            }
            ProcessBuilder b = new ProcessBuilder("script", "-qfec", command.toString(), "/dev/null")
                    .redirectErrorStream(true);
            b.environment().remove("CASCADE_NODE");
            b.environment().remove("CASCADE_TOKEN");
            b.environment().putAll(Map.of("HOME", home.toString(), "LC_ALL", "C.UTF-8", "TERM", "dumb",
                    "SHELL", "/bin/sh"));
            b.environment().putAll(env);
            process = b.start();
            keys = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (Reader r = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
                    char[] buf = new char[4096];
                    for (int n; (n = r.read(buf)) > 0; ) {
                        screen.append(buf, 0, n);
                    }
                } catch (IOException e) {
                    screen.append("\n[terminal read failed: ").append(e).append("]");
                }
            }, "cascade-cli-terminal");
            reader.setDaemon(true);
            reader.start();
        }

        private static String shellQuoted(String s) {
            return "'" + s.replace("'", "'\\''") + "'";
        }

        void type(String text) throws IOException {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        String screen() {
            return screen.toString();
        }

        /** Waits until the text is on the screen this many times; fails at once if the CLI exits first. */
        void awaitText(String text, int times) throws Exception {
            Await.until(() -> "'" + text + "' not shown " + times + " times: " + screen(), Duration.ofSeconds(20),
                    () -> {
                        if (count(screen(), text) >= times) {
                            return true;
                        }
                        if (!process.isAlive()) {
                            throw new AssertionError("the CLI exited (" + process.exitValue() + ") before showing '"
                                    + text + "' " + times + " times: " + screen());
                        }
                        return false;
                    });
        }

        private static int count(String haystack, String needle) {
            int n = 0;
            for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
                n++;
            }
            return n;
        }

        /** The exit code (script -e passes the CLI's on); -1 when it had not ended within 20 s. */
        int exit() throws InterruptedException {
            return process.waitFor(20, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly(); // its own handle only; the CLI under it then gets SIGHUP from the pty
            }
        }
    }
}
