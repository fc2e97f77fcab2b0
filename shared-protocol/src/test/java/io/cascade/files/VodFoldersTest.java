package io.cascade.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VodFoldersTest {
    @TempDir
    Path dir;

    @Test
    void rtmpNamesBecomeFileNamesTheWayFlashMeantThem() {
        assertEquals("clip.mp4", VodFolders.rtmpFileName("mp4:clip.mp4"));
        assertEquals("clip.mp4", VodFolders.rtmpFileName("clip.mp4"));
        assertEquals("clip.mp4", VodFolders.rtmpFileName("mp4:clip"));
        assertEquals("clip.flv", VodFolders.rtmpFileName("clip"));
        assertEquals("clip.flv", VodFolders.rtmpFileName("flv:clip"));
        assertEquals("a.b/clip.flv", VodFolders.rtmpFileName("a.b/clip"));
        assertEquals("sub/clip.mp4", VodFolders.rtmpFileName("mp4:sub/clip.mp4"));
    }

    @Test
    void findsFilesInsideTheirFolderOnly() throws IOException {
        Path root = Files.createDirectories(dir.resolve("data/vod"));
        Files.writeString(root.resolve("clip.mp4"), "x");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/clip.flv"), "x");
        Files.writeString(dir.resolve("secret.mp4"), "x");
        Files.createSymbolicLink(root.resolve("out.mp4"), dir.resolve("secret.mp4"));
        Files.createSymbolicLink(root.resolve("in.mp4"), root.resolve("clip.mp4"));
        VodFolders folders = VodFolders.of(dir.resolve("data"), "vod", Map.of());

        assertEquals(root.resolve("clip.mp4"), folders.find("vod", "clip.mp4"));
        assertEquals(root.resolve("sub/clip.flv"), folders.find("vod", "sub/clip.flv"));
        assertEquals(root.resolve("in.mp4"), folders.find("vod", "in.mp4"));
        assertThrows(IllegalArgumentException.class, () -> folders.find("vod", "../secret.mp4"));
        assertThrows(IllegalArgumentException.class, () -> folders.find("vod", dir.resolve("secret.mp4").toString()));
        assertThrows(IllegalArgumentException.class, () -> folders.find("vod", "out.mp4"));
        assertThrows(IllegalArgumentException.class, () -> folders.find("vod", "sub/../../secret.mp4"));
        assertThrows(NoSuchFileException.class, () -> folders.find("vod", "none.mp4"));
        assertThrows(NoSuchFileException.class, () -> folders.find("vod", "sub"));
        assertThrows(NoSuchFileException.class, () -> folders.find("movies", "clip.mp4"));
    }

    @Test
    void moreFoldersComeAsPairs() throws IOException {
        Path movies = Files.createDirectories(dir.resolve("movies"));
        Files.writeString(movies.resolve("a.mp4"), "x");
        VodFolders folders = VodFolders.of(dir, "", VodFolders.FOLDERS.parse("movies=" + movies, "test"));
        assertTrue(folders.serves("movies"));
        assertFalse(folders.serves("vod"));
        assertEquals(movies.resolve("a.mp4"), folders.find("movies", "a.mp4"));
        assertThrows(IllegalArgumentException.class, () -> VodFolders.FOLDERS.parse("movies", "test"));
        assertThrows(IllegalArgumentException.class, () -> VodFolders.FOLDERS.parse("../x=/tmp", "test"));
        assertThrows(IllegalArgumentException.class, () -> VodFolders.FOLDERS.parse("a=/x,a=/y", "test"));
    }
}
