package io.cascade.purity;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Codecs are pure: {@code io.cascade.protocol..} and {@code io.cascade.media..} use
 * the JDK and each other, nothing else, so they stay testable on byte arrays and usable by any server. Checked on the
 * sources, imports and fully qualified names in code alike, so a violation fails the build naming file and line.
 */
class PureCodecsTest {
    /** Relative to the module: Maven runs tests there. */
    private static final List<Path> PURE_ROOTS = List.of(Path.of("src/main/java/io/cascade/protocol"),
            Path.of("src/main/java/io/cascade/media"));
    private static final List<String> PURE_PACKAGES = List.of("io.cascade.protocol", "io.cascade.media");
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+?)(?:\\.\\*)?\\s*;");
    /** A dotted name that starts like a package outside java.*: a fully qualified reference in code. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])((?:io|com|org|net|javax|jdk|sun)\\.[a-z_]\\w*(?:\\.[A-Za-z_]\\w*)+)");

    @Test
    void codecPackagesUseOnlyTheJdkAndEachOther() throws IOException {
        List<String> violations = violations(PURE_ROOTS, PURE_PACKAGES);
        assertTrue(violations.isEmpty(), "codec packages must use only java.* and io.cascade.protocol/media:\n"
                + String.join("\n", violations));
    }

    /** Settings are declared by components of every module, codecs' neighbours included: they must not pull in more. */
    @Test
    void settingsUseOnlyTheJdk() throws IOException {
        List<String> violations = violations(List.of(Path.of("src/main/java/io/cascade/settings")),
                List.of("io.cascade.settings"));
        assertTrue(violations.isEmpty(), "io.cascade.settings must use only java.*:\n" + String.join("\n", violations));
    }

    /** Path confinement is checked on plain JDK file calls, so any module, pure or not, can use it. */
    @Test
    void fileConfinementUsesOnlyTheJdkAndNameRules() throws IOException {
        List<String> violations = violations(List.of(Path.of("src/main/java/io/cascade/files")),
                List.of("io.cascade.files", "io.cascade.media.StreamNames", "io.cascade.settings"));
        assertTrue(violations.isEmpty(), "io.cascade.files must use only java.*, StreamNames and the settings:\n"
                + String.join("\n", violations));
    }

    /** "file:line: imports x" for every import or qualified name outside the JDK and the given packages. */
    private static List<String> violations(List<Path> roots, List<String> ownPackages) throws IOException {
        List<Path> sources = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
            }
        }
        assertTrue(!sources.isEmpty(), "no sources under " + roots + ": are the roots right?");
        List<String> violations = new ArrayList<>();
        for (Path file : sources) {
            List<String> lines = withoutCommentsAndLiterals(Files.readString(file)).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher imp = IMPORT.matcher(line);
                if (imp.find()) {
                    if (!allowed(imp.group(1), ownPackages)) {
                        violations.add(file + ":" + (i + 1) + ": imports " + imp.group(1));
                    }
                    continue;
                }
                if (line.trim().startsWith("package ")) {
                    continue;
                }
                Matcher q = QUALIFIED.matcher(line);
                while (q.find()) {
                    if (!allowed(q.group(1), ownPackages)) {
                        violations.add(file + ":" + (i + 1) + ": refers to " + q.group(1));
                    }
                }
            }
        }
        return violations;
    }

    @Test
    void theCheckCatchesImportsAndQualifiedNames() {
        assertTrue(!allowed("io.vertx.core.buffer.Buffer") && !allowed("io.cascade.metrics.NodeCounters")
                && !allowed("org.slf4j.Logger") && !allowed("com.hazelcast.map.IMap")
                && !allowed("io.cascade.protocolx.Thing") && !allowed("sun.misc.Unsafe"));
        assertTrue(allowed("java.util.List") && !allowed("javax.crypto.Mac") && allowed("io.cascade.media.MediaFrame")
                && allowed("io.cascade.protocol.rtmp.chunk.ChunkReader"));
        String code = "int a; // io.vertx.Core\n/* io.netty.X */ String s = \"com.hazelcast.Y\"; io.netty.buffer.ByteBuf b;";
        List<String> found = new ArrayList<>();
        Matcher m = QUALIFIED.matcher(withoutCommentsAndLiterals(code));
        while (m.find()) {
            found.add(m.group(1));
        }
        assertTrue(found.equals(List.of("io.netty.buffer.ByteBuf")), found.toString());
    }

    private static boolean allowed(String name) {
        return allowed(name, PURE_PACKAGES);
    }

    /** Allowed: java.*, and the checked packages themselves. */
    private static boolean allowed(String name, List<String> ownPackages) {
        for (String pure : ownPackages) {
            if (name.equals(pure) || name.startsWith(pure + ".")) {
                return true;
            }
        }
        return name.startsWith("java.");
    }

    /** Comments, string and char literals blanked, line breaks kept, so line numbers still match the file. */
    static String withoutCommentsAndLiterals(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                source.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end + 3;
                source.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                out.append("\"\"");
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(c).append(c);
                i = Math.min(j + 1, source.length());
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
