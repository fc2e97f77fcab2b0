package io.cascade.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names from outside stay under their root: lexically first, then with symbolic links followed. */
class ConfinedPathTest {
    @TempDir
    Path dir;

    @Test
    void relativeNamesResolveUnderTheRoot() {
        Path root = Path.of("/srv/data");
        assertEquals(Path.of("/srv/data/live"), ConfinedPath.resolve(root, "live"));
        assertEquals(Path.of("/srv/data/live/hls-1/cam_2.x"), ConfinedPath.resolve(root, "live/hls-1/cam_2.x"));
        assertEquals(Path.of("/srv/data/...x"), ConfinedPath.resolve(root, "...x"), "dots inside a name are a name");
        assertEquals(Path.of("/srv/data/seg.ts"), ConfinedPath.name(root, "seg.ts"));
        assertNull(ConfinedPath.refusal("a".repeat(128) + "/b"));
    }

    @Test
    void everyWayOutIsRefusedWithItsReason() {
        Path root = Path.of("/srv/data");
        List<String[]> cases = List.of(
                new String[] {"/etc", "absolute"},
                new String[] {"/", "absolute"},
                new String[] {"\\\\server\\share", "absolute"},
                new String[] {"C:\\temp", "absolute"},
                new String[] {"..", "'..' segment"},
                new String[] {"../x", "'..' segment"},
                new String[] {"a/../../b", "'..' segment"},
                new String[] {"a/../b", "'..' segment"}, // stays inside, still refused: names, not paths to walk
                new String[] {"./a", "'.' segment"},
                new String[] {"a/./b", "'.' segment"},
                new String[] {"", "empty"},
                new String[] {"a//b", "empty segment"},
                new String[] {"a/", "empty segment"},
                new String[] {"a\u0000b", "control character"},
                new String[] {"../\u0000", "control character"},
                new String[] {"a\nb", "control character"},
                new String[] {"a\u0085b", "control character"},
                new String[] {"%2e%2e", "may use only"}, // nothing decodes it here: '%' is not a name character
                new String[] {"%2e%2e/x", "may use only"},
                new String[] {"..%2f..", "may use only"},
                new String[] {"a\\..\\b", "may use only"},
                new String[] {"a b", "may use only"},
                new String[] {"caf\u00e9", "may use only"},
                new String[] {"a".repeat(129), "longer than 128"},
                new String[] {"a/".repeat(ConfinedPath.MAX_DEPTH) + "a", "folders deep"});
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfinedPath.resolve(root, c[0]), "'" + c[0] + "' must be refused");
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\u0000") || e.getMessage().contains("\n"),
                    "a control character is never echoed: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ConfinedPath.resolve(root, null));
        assertThrows(IllegalArgumentException.class, () -> ConfinedPath.name(root, "a/b"));
        assertThrows(IllegalArgumentException.class, () -> ConfinedPath.name(root, ".."));
        assertFalse(ConfinedPath.isName("../victim"));
        assertFalse(ConfinedPath.isName("/tmp/victim"));
        assertTrue(ConfinedPath.isName("12.ts"));
    }

    @Test
    void foldersThatDoNotExistYetAreInside() throws IOException {
        Path root = dir.resolve("data"); // not even the root exists yet
        assertDoesNotThrow(() -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, "a/b/c")));
        assertDoesNotThrow(() -> ConfinedPath.requireInside(root, root));
        assertFalse(Files.exists(root), "checking creates nothing");
        Files.createDirectories(root.resolve("a"));
        assertDoesNotThrow(() -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, "a/b/c")));
        assertThrows(IllegalArgumentException.class, () -> ConfinedPath.requireInside(root, dir.resolve("elsewhere")));
        assertThrows(IllegalArgumentException.class, () -> ConfinedPath.requireInside(root, root.resolve("../x")));
    }

    @Test
    void aSymbolicLinkOutOfTheRootIsRefusedWhereverItIs() throws IOException {
        Path root = Files.createDirectories(dir.resolve("data"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createDirectories(root.resolve("deep/er"));
        Files.createSymbolicLink(root.resolve("deep/er/up"), Path.of("../../.."));

        for (String name : List.of("out", "out/x", "out/x/y", "deep/er/up", "deep/er/up/outside")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, name)), name);
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
        assertFalse(Files.exists(outside.resolve("x")), "checking creates nothing");
    }

    @Test
    void aDanglingLinkIsRefused() throws IOException {
        Path root = Files.createDirectories(dir.resolve("data"));
        Files.createSymbolicLink(root.resolve("gone"), dir.resolve("nowhere/at/all"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, "gone/x")));
        assertTrue(e.getMessage().contains("leads nowhere"), e.getMessage());
    }

    /** Decided: a link that stays inside the root is accepted; so is a root that is itself a link. */
    @Test
    void linksThatStayInsideAreAccepted() throws IOException {
        Path real = Files.createDirectories(dir.resolve("disk/data"));
        Files.createDirectories(real.resolve("archive/live"));
        Files.createSymbolicLink(real.resolve("live"), real.resolve("archive/live"));
        Files.createSymbolicLink(real.resolve("rel"), Path.of("archive"));
        Path root = Files.createSymbolicLink(dir.resolve("data"), real);

        assertDoesNotThrow(() -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, "live")));
        assertDoesNotThrow(() -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, "live/cam1")));
        assertDoesNotThrow(() -> ConfinedPath.requireInside(root, ConfinedPath.resolve(root, "rel/live/cam1")));
        assertDoesNotThrow(() -> ConfinedPath.requireInside(real, ConfinedPath.resolve(real, "live/cam1")));
    }
}
