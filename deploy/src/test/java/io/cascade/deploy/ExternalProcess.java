package io.cascade.deploy;

import io.cascade.testing.Await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real client run by a test: output goes to files under target/, every wait is bounded, and the process is
 * stopped by its own handle (never by name).
 */
final class ExternalProcess implements AutoCloseable {
    private static final Path LOGS = Path.of("target", "interop-logs");
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final String label;

    private ExternalProcess(String label, Process process, Path stdout, Path stderr) {
        this.label = label;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static ExternalProcess start(String label, List<String> command) throws IOException {
        return start(label, command, Map.of());
    }

    /**
     * As {@link #start(String, List)}, with these changes to the environment the test runs in: a variable set to a
     * value, or removed when its value is null (so a test does not depend on what the caller's shell exported).
     */
    static ExternalProcess start(String label, List<String> command, Map<String, String> env) throws IOException {
        io.cascade.testing.RealClients.require(command.get(0)); // a missing client fails the test, never skips it
        Files.createDirectories(LOGS);
        String base = label + "-" + System.nanoTime();
        Path out = LOGS.resolve(base + ".out");
        Path err = LOGS.resolve(base + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        return new ExternalProcess(label, builder.start(), out, err);
    }

    /** Runs to completion within the timeout (killed after it); returns the exit code, or -1 when killed. */
    static ExternalProcess run(String label, long timeoutSeconds, List<String> command) throws Exception {
        ExternalProcess p = start(label, command);
        p.waitFor(timeoutSeconds);
        return p;
    }

    /** Waits up to the timeout; kills the process after it. */
    int waitFor(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            kill();
            return -1;
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode() {
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, then SIGKILL if it is still there after 5 s. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** SIGKILL: the abrupt death of a client or node. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** SIGTERM alone: what an orchestrator sends first, leaving the process its own time to end. */
    void terminate() {
        process.destroy();
    }

    /** SIGINT, which ffmpeg and rtmpdump take as "finish the file and stop". */
    void interrupt() throws Exception {
        new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Waits (bounded) until the process printed the text on stdout; fails if it exits or the time runs out. */
    void awaitOutput(String text, int seconds) throws Exception {
        Await.until(() -> "no '" + text + "' from " + label + ": " + stdoutOrError(), Duration.ofSeconds(seconds),
                () -> {
                    if (stdout().contains(text)) {
                        return true;
                    }
                    if (!process.isAlive()) {
                        throw new AssertionError(label + " exited before printing '" + text + "': " + stdout()
                                + stderr());
                    }
                    return false;
                });
    }

    /** Waits up to the timeout for the exit, without killing; true when it exited. */
    boolean exited(long timeoutSeconds) throws InterruptedException {
        return process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    }

    private String stdoutOrError() {
        try {
            return stdout();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** For assertion messages: the tail of what the client said. */
    String describe() {
        try {
            String err = stderr();
            return label + " (exit " + (process.isAlive() ? "running" : process.exitValue()) + "): "
                    + err.substring(Math.max(0, err.length() - 1500));
        } catch (IOException e) {
            return label + ": " + e;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly(); // no wait: close() must not be interruptible
        }
    }
}
