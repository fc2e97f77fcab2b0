package io.cascade.edge.vod;

import io.cascade.files.VodFolders;
import io.cascade.media.MemoryBudget;
import io.cascade.vod.VodLibrary;
import io.cascade.media.TestMediaFile;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Files kept open by version and within their bound, closed only once unused; names confined to the folders. */
class VodFileCacheTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger opened = new AtomicInteger();
    private final List<Path> closed = new ArrayList<>();

    @AfterEach
    void stop() {
        vertx.close();
    }

    private VodFileCache cache(Path root, int maxOpen) {
        return new VodFileCache(new VodLibrary(vertx, new VodFolders(Map.of("vod", root)), path -> {
            opened.incrementAndGet();
            return new TestMediaFile(VodFileTest.VIDEO, VodFileTest.AUDIO, 8, 25) {
                @Override
                public void close() {
                    closed.add(path);
                }
            };
        }, 10), maxOpen, 4_000, 1 << 20, 16, MemoryBudget.unlimited().packaged);
    }

    @Test
    void aFileIsOpenedOncePerVersionAndAChangedOneAgain(@TempDir Path root) throws Exception {
        Path clip = Files.writeString(root.resolve("clip.mp4"), "v1");
        VodFileCache files = cache(root, 4);
        VodFileCache.Lease a = files.open("vod", "clip.mp4");
        VodFileCache.Lease b = files.open("vod", "clip.mp4");
        assertSame(a.file(), b.file());
        assertEquals(1, opened.get());
        Files.writeString(clip, "version two");
        Files.setLastModifiedTime(clip, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        VodFileCache.Lease c = files.open("vod", "clip.mp4");
        assertNotSame(a.file(), c.file(), "changed on disk: indexed again");
        assertEquals(List.of(), closed, "the old version stays open while its leases do");
        a.close();
        b.close();
        assertEquals(List.of(clip), closed);
        c.close();
    }

    @Test
    void theLeastRecentlyUsedIsClosedPastTheBoundOnceUnused(@TempDir Path root) throws Exception {
        for (String name : List.of("a.mp4", "b.mp4", "c.mp4")) {
            Files.writeString(root.resolve(name), name);
        }
        VodFileCache files = cache(root, 2);
        VodFileCache.Lease a = files.open("vod", "a.mp4");
        files.open("vod", "b.mp4").close();
        files.open("vod", "c.mp4").close();
        assertEquals(2, files.openFiles());
        assertEquals(List.of(), closed, "a is evicted but still in use");
        a.close();
        assertEquals(List.of(root.resolve("a.mp4")), closed);
    }

    @Test
    void namesOutsideTheFolderAreRefusedBeforeAnythingIsOpened(@TempDir Path root) throws Exception {
        Path outside = Files.createDirectories(root.resolve("secret")).resolve("x.mp4");
        Files.writeString(outside, "x");
        Path folder = Files.createDirectories(root.resolve("vod"));
        Files.createSymbolicLink(folder.resolve("link.mp4"), outside);
        VodFileCache files = cache(folder, 2);
        assertThrows(IllegalArgumentException.class, () -> files.open("vod", "../secret/x.mp4"));
        assertThrows(IllegalArgumentException.class, () -> files.open("vod", "link.mp4"));
        assertThrows(IllegalArgumentException.class, () -> files.open("vod", "%2e%2e/secret/x.mp4"));
        assertThrows(NoSuchFileException.class, () -> files.open("vod", "missing.mp4"));
        assertThrows(NoSuchFileException.class, () -> files.open("movies", "x.mp4"));
        assertEquals(0, opened.get());
    }
}
