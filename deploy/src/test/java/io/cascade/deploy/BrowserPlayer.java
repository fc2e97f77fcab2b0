package io.cascade.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * hls.js or dash.js playing a live stream in headless Chromium, through {@code deploy/browser/play.mjs}: the player
 * page is served from another loopback origin than the stream, so CORS is exercised. Bounded in time, output under
 * target/interop-logs, and the browser goes with the node process (never stopped by name).
 *
 * <p>{@code deploy/bin/test} installs what it needs (Debian's chromium, {@code npm ci} in deploy/browser); a test
 * that finds it missing fails with the command that fixes it instead of being skipped.
 */
final class BrowserPlayer {
    /** Seconds play.mjs waits for playback to start. */
    static final int STARTUP_TIMEOUT_SECONDS = 30;
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private BrowserPlayer() {
    }

    /**
     * What play.mjs said. {@code ok} already means: started within the startup timeout, advanced by at least 80% of
     * the seconds played, no fatal player or video error, a picture (or decoded audio for {@code --audio-only}).
     * {@code fatalErrors} holds each fatal error as JSON; {@code failures} says why {@code ok} is false. For a node's
     * player page, {@code pageStats} is the page's last stats reading ({@code window.__playerStats}, null when none)
     * and {@code latencyMs} the median of its latency readings over the window (null when it gave none).
     */
    record Result(boolean ok, String player, String url, String pageOrigin, long startupMs, double startTime,
                  double endTime, double advanced, int videoWidth, int videoHeight, long videoFrames, long audioBytes,
                  boolean stalled, int stalls, long stalledMs, List<String> fatalErrors, List<String> errors,
                  List<String> failures, JsonObject pageStats, Long latencyMs, int exitCode, String json, String log) {
        /** For assertion messages: the JSON line and the end of play.mjs's log. */
        String describe() {
            return "play.mjs exit " + exitCode + ": " + json + (log.isEmpty() ? "" : "\n" + log);
        }
    }

    static Path browserDir() {
        // Maven runs the tests in the module directory and sets basedir to it as well.
        return Path.of(System.getProperty("basedir", "."), "browser").toAbsolutePath().normalize();
    }

    /** Chromium, node and the npm packages are all there. */
    static boolean available() {
        return missing().isEmpty();
    }

    /** What is missing, with the command that installs it; empty when nothing is. */
    static String missing() {
        List<String> m = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) {
            m.add(CHROMIUM + " (apt-get install chromium)");
        }
        if (!onPath("node")) {
            m.add("node (apt-get install nodejs npm)");
        }
        Path modules = browserDir().resolve("node_modules");
        for (String pkg : List.of("hls.js", "dashjs", "mpegts.js", "playwright-core")) {
            if (!Files.isDirectory(modules.resolve(pkg))) {
                m.add(modules.resolve(pkg) + " (npm ci in " + browserDir() + ")");
            }
        }
        return String.join(", ", m);
    }

    /** Fails the test with a clear message when the harness cannot run; deploy/bin/test installs everything. */
    static void requireAvailable() {
        String m = missing();
        if (!m.isEmpty()) {
            throw new AssertionError("browser player harness not installed: missing " + m
                    + ". deploy/bin/test installs all of it.");
        }
    }

    /**
     * Plays the URL for the given seconds once it started: a manifest ({@code player} "hls" or "dash"), a node's
     * WebSocket stream ("ws", with the node's /player/ws.js) or a node's own player page ("page"). Extra flags go to
     * play.mjs as they are: {@code "--audio-only"}, {@code "--live-delay", "3"}, {@code "--verbose"},
     * {@code "--screenshot", "file.png"}.
     */
    static Result play(String player, String url, int seconds, String... flags) throws Exception {
        requireAvailable();
        List<String> cmd = new ArrayList<>(List.of("node", browserDir().resolve("play.mjs").toString(),
                "--player", player, "--url", url, "--seconds", String.valueOf(seconds),
                "--timeout", String.valueOf(STARTUP_TIMEOUT_SECONDS)));
        cmd.addAll(List.of(flags));
        // play.mjs ends itself after timeout + seconds + 20 s; this bound is only for a node that hangs anyway.
        long boundSeconds = STARTUP_TIMEOUT_SECONDS + seconds + 35L;
        ExternalProcess p = ExternalProcess.start("browser-" + player, cmd);
        try {
            int exit = awaitExit(p, boundSeconds);
            return parse(exit, p.stdout(), tail(p.stderr()));
        } finally {
            p.close();
        }
    }

    /** Waits for the exit; past the bound: SIGTERM (play.mjs closes the browser), then SIGKILL of what is left. */
    private static int awaitExit(ExternalProcess p, long boundSeconds) throws Exception {
        if (p.exited(boundSeconds)) {
            return p.exitCode();
        }
        List<ProcessHandle> started = ProcessHandle.of(p.pid()).map(h -> h.descendants().toList()).orElse(List.of());
        p.stop();
        for (ProcessHandle h : started) { // the browser and its helpers, which this run started
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        return -1;
    }

    static Result parse(int exit, String stdout, String log) {
        String line = stdout.lines().map(String::strip).filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (line == null) {
            return new Result(false, "", "", "", -1, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, List.of(), List.of(),
                    List.of(exit == -1 ? "play.mjs killed after its time bound, no result" : "no JSON line from play.mjs"),
                    null, null, exit, stdout.strip(), log);
        }
        JsonObject j = new JsonObject(line);
        return new Result(j.getBoolean("ok", false), j.getString("player", ""), j.getString("url", ""),
                j.getString("pageOrigin", ""), num(j, "startupMs", -1).longValue(), num(j, "startTime", 0).doubleValue(),
                num(j, "endTime", 0).doubleValue(), num(j, "advanced", 0).doubleValue(),
                num(j, "videoWidth", 0).intValue(), num(j, "videoHeight", 0).intValue(),
                num(j, "videoFrames", 0).longValue(), num(j, "audioBytes", 0).longValue(),
                j.getBoolean("stalled", false), num(j, "stalls", 0).intValue(), num(j, "stalledMs", 0).longValue(),
                strings(j.getJsonArray("fatalErrors")), strings(j.getJsonArray("errors")),
                strings(j.getJsonArray("failures")), j.getJsonObject("pageStats"),
                j.getValue("latencyMs") instanceof Number n ? n.longValue() : null, exit, line, log);
    }

    private static Number num(JsonObject j, String key, Number absent) {
        Object v = j.getValue(key);
        return v instanceof Number n ? n : absent;
    }

    private static List<String> strings(JsonArray a) {
        if (a == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : a) {
            out.add(o instanceof String s ? s : String.valueOf(o)); // objects as their JSON
        }
        return List.copyOf(out);
    }

    private static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 2000)).strip();
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
