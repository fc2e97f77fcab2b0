package io.cascade.packaging.recording;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How recordings name their files, and what a record call's parameters become; no socket, no disk. */
class ChunkNamesTest {
    private static final Path ROOT = Path.of("/srv/recordings");

    @Test
    void chunksAreNumberedBeforeTheExtension() {
        assertEquals("show.mp4", ChunkNames.chunk("show.mp4", 1, false), "unchunked: the name itself");
        assertEquals("show-0002.mp4", ChunkNames.chunk("show.mp4", 2, false), "a later file: numbered from 2");
        assertEquals("show-0001.mp4", ChunkNames.chunk("show.mp4", 1, true), "chunked: numbered from 1");
        assertEquals("show-12345.ts", ChunkNames.chunk("show.ts", 12345, true), "more digits past 9999");
        assertEquals("a.b-0003.flv", ChunkNames.chunk("a.b.flv", 3, true), "the last dot starts the extension");
        assertEquals("show-recovered.mp4", ChunkNames.recovered("show.mp4", 1));
        assertEquals("show-recovered-2.mp4", ChunkNames.recovered("show.mp4", 2));
    }

    @Test
    void filesAsideAreTheNameBetweenADotAndASuffix() {
        assertEquals(".show-0001.mp4.part", ChunkNames.part("show-0001.mp4"));
        assertEquals(".show.mp4.tmp", ChunkNames.tmp("show.mp4"));
        assertEquals("show-0001.mp4", ChunkNames.finished(".show-0001.mp4.part", ChunkNames.PART));
        assertEquals("show.ts", ChunkNames.finished(".show.ts.tmp", ChunkNames.TMP));
        assertNull(ChunkNames.finished("show.mp4.part", ChunkNames.PART), "no leading dot: not ours");
        assertNull(ChunkNames.finished(".notes.txt.part", ChunkNames.PART), "not a recording's extension");
        assertNull(ChunkNames.finished("..part", ChunkNames.PART));
    }

    @Test
    void aRecordCallsParametersBecomeASpec() {
        RecordingSpec s = RecordingSpec.parse(Map.of("localStreamName", "cam", "pathToFile", "a/b", "type", "TS",
                "chunkLength", "5", "overwrite", "1"), ROOT);
        assertEquals("a/b.ts", s.path(), "the extension added");
        assertEquals(ROOT.resolve("a/b.ts"), s.file());
        assertEquals(5_000, s.chunkLengthMs());
        assertTrue(s.overwrite());
        assertEquals("x.flv", RecordingSpec.parse(Map.of("localStreamName", "cam", "pathToFile", "x.flv"), ROOT).path(),
                "the type from the extension");
        assertEquals("cam.mp4", RecordingSpec.parse(Map.of("localStreamName", "cam"), ROOT).path(), "defaults");
        for (String bad : new String[] {"../x", "/etc/x", "a//b", "a/./b", "a\\b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RecordingSpec.parse(Map.of("localStreamName", "cam", "pathToFile", bad), ROOT), bad);
            assertTrue(e.getMessage().startsWith("pathToFile: "), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RecordingSpec.parse(Map.of("localStreamName", "cam",
                "type", "mkv"), ROOT));
        assertThrows(IllegalArgumentException.class, () -> RecordingSpec.parse(Map.of("localStreamName", "cam",
                "chunkLength", "86401"), ROOT));
        assertThrows(IllegalArgumentException.class, () -> RecordingSpec.parse(Map.of("pathToFile", "x"), ROOT));
    }
}
