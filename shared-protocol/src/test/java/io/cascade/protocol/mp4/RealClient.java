package io.cascade.protocol.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** ffmpeg and ffprobe as the mp4 interop tests run them. */
public final class RealClient {
    private RealClient() {
    }

    /**
     * Runs a command to completion (30 s at most) with its output in {@code dir}; fails on a non-zero exit or
     * anything on stderr; returns stdout.
     */
    public static String run(Path dir, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command[0] + " did not finish in 30 s");
        }
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), command[0] + " failed: " + stderr);
        assertEquals("", stderr, command[0] + " reported errors");
        return Files.readString(out);
    }

    public static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
