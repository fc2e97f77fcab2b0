package io.cascade.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A protocol's types are named only inside its own packages, by its one registration (its {@link Listener}) and by
 * the relay registrations ({@code RelaySchemes}): everything else (admission, fan-out, hubs, metrics, the node) is
 * protocol-neutral, so adding a protocol touches no shared class.
 */
class ProtocolConfinementTest {
    /** A protocol's packages and the one file outside them that may name its types. */
    record Protocol(String name, List<String> packages, String registration) {
    }

    static final List<Protocol> PROTOCOLS = List.of(
            new Protocol("rtmp", List.of("io.cascade.protocol.rtmp", "io.cascade.rtmp", "io.cascade.ingest.rtmp",
                    "io.cascade.edge.rtmp"), "RtmpListener.java"),
            new Protocol("rtsp", List.of("io.cascade.protocol.rtsp", "io.cascade.rtsp", "io.cascade.ingest.rtsp",
                    "io.cascade.edge.rtsp"), "RtspListener.java"),
            new Protocol("http", List.of("io.cascade.edge.http"), "HttpListener.java"),
            new Protocol("ws", List.of("io.cascade.edge.ws"), "HttpListener.java"),
            new Protocol("flv", List.of("io.cascade.edge.flv"), "HttpListener.java"),
            // io.cascade.protocol.ts itself is MPEG-TS the container, written by HLS packaging too
            new Protocol("ts", List.of("io.cascade.ingest.ts", "io.cascade.protocol.ts.frames", "io.cascade.edge.ts"),
                    "TsListener.java"));

    /**
     * The relay registrations: one entry per scheme and direction, naming each protocol's pull and push as a listener
     * names its server, so it is the second file every relaying protocol may be named in.
     */
    static final String RELAY_REGISTRATION = "RelaySchemes.java";

    private static final Pattern PACKAGE = Pattern.compile("^package ([a-z0-9_.]+);", Pattern.MULTILINE);
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    /** Every main source file of every module (the test runs in deploy/, beside the other modules). */
    private static List<Path> mainSources() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Path.of("..").toAbsolutePath().normalize())) {
            for (Path module : modules.toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> files = Files.walk(main)) {
                        files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }

    /** Where {@code source} (a file in package {@code pkg}) names a type of the protocol: "file:line: text". */
    static List<String> violations(Protocol p, String fileName, String source) {
        Matcher pm = PACKAGE.matcher(source);
        String pkg = pm.find() ? pm.group(1) : "";
        if (fileName.equals(p.registration()) || fileName.equals(RELAY_REGISTRATION)
                || p.packages().stream().anyMatch(own -> pkg.equals(own) || pkg.startsWith(own + "."))) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        String[] lines = COMMENTS.matcher(source).replaceAll(m -> m.group().replaceAll("[^\n]", " ")).split("\n");
        for (int i = 0; i < lines.length; i++) {
            for (String own : p.packages()) {
                if (Pattern.compile("\\b" + Pattern.quote(own) + "\\.[A-Za-z]").matcher(lines[i]).find()) {
                    found.add(fileName + ":" + (i + 1) + ": " + lines[i].strip());
                }
            }
        }
        return found;
    }

    @Test
    void noClassOutsideAProtocolsPackagesNamesItsTypesButItsRegistration() throws IOException {
        List<Path> sources = mainSources();
        assertTrue(sources.size() > 100, "the modules' sources were found: " + sources.size());
        List<String> found = new ArrayList<>();
        for (Path f : sources) {
            String source = Files.readString(f);
            for (Protocol p : PROTOCOLS) {
                found.addAll(violations(p, f.getFileName().toString(), source));
            }
        }
        assertEquals(List.of(), found, "protocol types named outside their protocol");
    }

    @Test
    void theCheckFindsAPlantedReferenceAndIgnoresComments() {
        Protocol rtmp = PROTOCOLS.get(0);
        String planted = "package io.cascade.edge;\n// io.cascade.rtmp.RtmpServer in a comment is fine\n"
                + "import io.cascade.rtmp.RtmpServer;\nclass X { Object o = io.cascade.edge.rtmp.RtmpPlayback.class; }\n";
        assertEquals(2, violations(rtmp, "X.java", planted).size(), violations(rtmp, "X.java", planted).toString());
        assertEquals(List.of(), violations(rtmp, "RtmpListener.java", planted));
        assertEquals(List.of(), violations(rtmp, "Y.java", planted.replace("package io.cascade.edge;",
                "package io.cascade.edge.rtmp;")));
    }

    /** The viewer protocols of the HTTP port: one protocol's package may not name another's types either. */
    @Test
    void theHttpPortsViewerProtocolsAreConfinedToo() {
        Protocol ws = PROTOCOLS.stream().filter(p -> p.name().equals("ws")).findFirst().orElseThrow();
        Protocol flv = PROTOCOLS.stream().filter(p -> p.name().equals("flv")).findFirst().orElseThrow();
        String fromFlv = "package io.cascade.edge.flv;\nimport io.cascade.edge.ws.WsPlayback;\n";
        assertEquals(1, violations(ws, "FlvPlayback.java", fromFlv).size());
        String fromFanout = "package io.cascade.edge.fanout;\nclass X { Object o = io.cascade.edge.flv.FlvPlayback.class; }\n";
        assertEquals(1, violations(flv, "Playback.java", fromFanout).size());
        assertEquals(List.of(), violations(ws, "HttpListener.java", fromFlv), "the listener registers them");
    }
}
