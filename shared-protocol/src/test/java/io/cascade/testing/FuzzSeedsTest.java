package io.cascade.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed-folder convention: table seeds exactly, plus committed findings, which survive regeneration and replay. */
class FuzzSeedsTest {
    private static final Map<String, Map<String, byte[]>> TABLE = Map.of("feed", Map.of("a", new byte[] {1},
            "b", new byte[] {2, 3}));

    @Test
    void aCommittedCrashFileBesideTheTableSeedsPassesAndReplays(@TempDir Path dir) throws Exception {
        FuzzSeeds.checkCommitted(dir, TABLE, true);
        Files.write(dir.resolve("feed/crash-0123456789abcdef"), new byte[] {9, 9});
        Files.write(dir.resolve("feed/timeout-42"), new byte[] {8});
        FuzzSeeds.checkCommitted(dir, TABLE, false);
        List<byte[]> seen = new ArrayList<>();
        FuzzSeeds.replay(dir, TABLE, Map.of("feed", seen::add), 100);
        assertTrue(seen.stream().anyMatch(b -> b.length == 2 && b[0] == 9), "the crash file replayed");
        assertTrue(seen.stream().anyMatch(b -> b.length == 1 && b[0] == 8), "the timeout file replayed");
    }

    @Test
    void regeneratingTheSeedsKeepsTheFindingsAndDropsStaleSeeds(@TempDir Path dir) throws Exception {
        FuzzSeeds.checkCommitted(dir, TABLE, true);
        Files.write(dir.resolve("feed/crash-1"), new byte[] {7});
        Files.write(dir.resolve("feed/renamed-entry"), new byte[] {1});
        AssertionError stale = assertThrows(AssertionError.class, () -> FuzzSeeds.checkCommitted(dir, TABLE, false));
        assertTrue(stale.getMessage().contains("renamed-entry"), stale.getMessage());
        FuzzSeeds.checkCommitted(dir, TABLE, true);
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(dir.resolve("feed/crash-1")));
        assertTrue(Files.notExists(dir.resolve("feed/renamed-entry")));
        assertEquals(Map.of("crash-1", 1), Map.of("crash-1", FuzzSeeds.findings(dir.resolve("feed")).get("crash-1").length));
    }

    @Test
    void aChangedOrMissingTableSeedStillFails(@TempDir Path dir) throws Exception {
        FuzzSeeds.checkCommitted(dir, TABLE, true);
        Files.write(dir.resolve("feed/a"), new byte[] {5});
        assertThrows(AssertionError.class, () -> FuzzSeeds.checkCommitted(dir, TABLE, false));
        Files.delete(dir.resolve("feed/a"));
        assertThrows(AssertionError.class, () -> FuzzSeeds.checkCommitted(dir, TABLE, false));
    }
}
