package io.cascade.deploy;

import com.hazelcast.internal.util.ConcurrencyUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a one-CPU machine Hazelcast runs each asynchronous callback on a thread started for it alone, unless the node's
 * entry point gave the JDK's common pool threads first. Each case runs in a JVM of its own that sees one CPU: the pool
 * is sized once per JVM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AsyncCallbackPoolTest {
    /** What a fresh JVM's Hazelcast uses for asynchronous callbacks: "pool" or "thread per callback". */
    public static final class Probe {
        public static void main(String[] args) {
            if (args.length > 0 && args[0].equals("node")) {
                CascadeNode.poolAsyncCallbacks();
            }
            boolean pooled = ConcurrencyUtil.getDefaultAsyncExecutor() == ForkJoinPool.commonPool();
            System.out.println((pooled ? "pool " : "thread per callback ") + ForkJoinPool.getCommonPoolParallelism());
        }
    }

    private static String probe(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:ActiveProcessorCount=1",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            // read to the end before waiting: a probe whose output filled the pipe would never end
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "probe JVM did not end: " + out);
            assertEquals(0, p.exitValue(), out);
            return out.substring(out.lastIndexOf('\n') + 1); // the probe's line comes last, after any logging's
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theNodesEntryPointGivesCallbacksAPoolOnOneCpu() throws Exception {
        assertEquals("thread per callback 1", probe(), "without it (what the fix is for)");
        assertEquals("pool 2", probe("node"));
    }
}
