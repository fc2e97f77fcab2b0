package io.cascade.files;

import io.cascade.media.StreamNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Paths that come from outside (a request parameter, a line of a file we read back) turned into paths under a root
 * the operator chose, and nowhere else.
 *
 * <p>Two steps. {@link #resolve} and {@link #name} are lexical and touch no disk: the text must be a relative path
 * whose every segment is a name by the stream-name rule ({@code [A-Za-z0-9._-]{1,128}}, never {@code .} or
 * {@code ..}), separated by {@code /}. That refuses absolute paths, every dot segment (even one that would stay inside:
 * these are names, not paths to walk), empty segments, backslashes, drive letters, {@code %} escapes (nothing here
 * decodes them, so {@code %2e%2e} is just a refused name), NUL and every other control character.
 *
 * <p>{@link #requireInside} then asks the file system: the path, with every symbolic link on it followed as far as
 * the path exists, must still be under the root with the root's own links followed. A link inside the root that
 * leads to another place inside the root is accepted (operators lay folders out with links); one that leads out,
 * or nowhere (dangling), is refused. The root itself may be a link: it is the operator's choice.
 *
 * <p>Limits: the check and the later use are separate system calls, so someone who can write inside the root could
 * swap a folder for a link in between; callers check again right before each write to keep that window small, and
 * write temporary files without following links.
 */
public final class ConfinedPath {
    /** Folders deep a relative path may go: any real layout fits, and a request cannot make a deep tree. */
    public static final int MAX_DEPTH = 16;

    private ConfinedPath() {
    }

    /** True when the text is one plain name: a file or folder directly in a folder, never {@code .} or {@code ..}. */
    public static boolean isName(String name) {
        return StreamNames.isValid(name);
    }

    /**
     * The root with {@code relative} under it; no disk access. Throws IllegalArgumentException saying why the text
     * is refused (the caller adds which parameter it was).
     */
    public static Path resolve(Path root, String relative) {
        String why = refusal(relative);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        Path p = root;
        for (String segment : relative.split("/", -1)) {
            p = p.resolve(segment);
        }
        return p;
    }

    /** The folder with one plain name in it; no disk access. Throws IllegalArgumentException for anything else. */
    public static Path name(Path folder, String name) {
        if (name != null && name.indexOf('/') >= 0) {
            throw new IllegalArgumentException(shown(name) + " is a path, not a plain name");
        }
        return resolve(folder, name);
    }

    /** Why the relative path is refused, or null when it is accepted. */
    public static String refusal(String relative) {
        if (relative == null || relative.isEmpty()) {
            return "the name is empty";
        }
        for (int i = 0; i < relative.length(); i++) {
            char c = relative.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return "the name contains a control character";
            }
        }
        if (relative.startsWith("/") || relative.startsWith("\\") || (relative.length() > 1 && relative.charAt(1) == ':')) {
            return shown(relative) + " is an absolute path";
        }
        String[] segments = relative.split("/", -1);
        if (segments.length > MAX_DEPTH) {
            return shown(relative) + " is more than " + MAX_DEPTH + " folders deep";
        }
        for (String s : segments) {
            if (s.isEmpty()) {
                return shown(relative) + " has an empty segment";
            }
            if (s.equals(".") || s.equals("..")) {
                return shown(relative) + " has a '" + s + "' segment";
            }
            if (s.length() > StreamNames.MAX_LENGTH) {
                return shown(relative) + " has a segment longer than " + StreamNames.MAX_LENGTH + " characters";
            }
            if (!isName(s)) {
                return shown(relative) + ": segment " + shown(s) + " may use only A-Z, a-z, 0-9, '.', '_' and '-'";
            }
        }
        return null;
    }

    /**
     * Checks on disk that {@code path} is inside {@code root} once symbolic links are followed (see the class
     * comment). Throws IllegalArgumentException when it leads out or through a dangling link; IOException when the
     * file system could not answer (a permission, a loop of links).
     */
    public static void requireInside(Path root, Path path) throws IOException {
        Path lexicalRoot = root.toAbsolutePath().normalize();
        Path lexical = path.toAbsolutePath().normalize();
        if (!lexical.startsWith(lexicalRoot)) {
            throw new IllegalArgumentException(shown(path.toString()) + " is not inside " + shown(root.toString()));
        }
        Path realRoot = followed(lexicalRoot);
        Path real = followed(lexical);
        if (!real.startsWith(realRoot)) {
            throw new IllegalArgumentException(shown(lexicalRoot.relativize(lexical).toString())
                    + " leads out of its folder through a symbolic link");
        }
    }

    /**
     * The absolute path with every link on its existing part followed; the part that does not exist yet is added
     * as written (a folder about to be created).
     */
    private static Path followed(Path absolute) throws IOException {
        Path existing = absolute;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(shown(existing.getFileName() == null ? "/" : existing.getFileName().toString())
                    + " is a symbolic link that leads nowhere");
        }
        return real.resolve(existing.relativize(absolute)).normalize();
    }

    /** The text quoted for a message, cut short so a long request does not make a long answer. */
    private static String shown(String text) {
        return "'" + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'";
    }
}
