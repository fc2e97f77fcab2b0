package io.cascade.packaging.files;

import io.cascade.files.ConfinedPath;
import io.cascade.media.StreamNames;

import java.nio.file.Path;
import java.util.Map;

/**
 * One stream written to a folder, as EMS's {@code createHLSStream} / {@code createDASHStream} describe it.
 *
 * @param root          the folder every file of the output must stay inside, symbolic links followed: data.dir
 *                      for the API's outputs, the operator's folder for automatic ones
 * @param folder        where the files go: {@code targetFolder/groupName}, under {@code root}
 * @param appending     the playlist keeps every segment (EMS "appending") instead of a rolling window
 * @param playlistLength segments a rolling playlist lists (older segment files are deleted)
 * @param resume        an existing playlist in the folder is continued rather than replaced (hlsResume)
 * @param cleanup       files of an earlier run in the folder are deleted first (cleanupDestination)
 * @param aesKeyCount   0 for clear segments; otherwise HLS segments are AES-128 encrypted with this many keys
 */
public record FileOutputSpec(Kind kind, String stream, Path root, Path folder, boolean appending, int playlistLength,
                             boolean audioOnly, boolean resume, boolean cleanup, int aesKeyCount) {
    public enum Kind { HLS, DASH }

    /** EMS's default playlist length. */
    public static final int DEFAULT_PLAYLIST_LENGTH = 10;
    /** A rolling playlist longer than this is a DVR window: use appending. */
    public static final int MAX_PLAYLIST_LENGTH = 10_000;

    /**
     * The spec for one of the API call's streams, from the EMS parameters (strings as they came); throws
     * IllegalArgumentException naming the parameter that is wrong. targetFolder is a relative path under
     * {@code dataDir} that stays inside it; this checks the text only, {@link ConfinedPath#requireInside} the disk.
     *
     * @param dataDir the folder a targetFolder is under
     */
    public static FileOutputSpec parse(Kind kind, String stream, Map<String, String> p, Path dataDir) {
        requireStream(stream);
        String target = p.get("targetFolder");
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("targetFolder is required");
        }
        Path targetDir;
        try {
            targetDir = ConfinedPath.resolve(dataDir, target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("targetFolder: " + e.getMessage()
                    + "; it must be a folder relative to data.dir and inside it");
        }
        return parse(kind, stream, p, dataDir, targetDir);
    }

    /**
     * The spec of an automatic output (autoHLS / autoDASH): the folder is the operator's, trusted as it is, and
     * the stream's own folder is a plain name in it.
     */
    public static FileOutputSpec parseIn(Kind kind, String stream, Map<String, String> p, Path operatorFolder) {
        requireStream(stream);
        return parse(kind, stream, p, operatorFolder, operatorFolder);
    }

    private static void requireStream(String stream) {
        if (!StreamNames.isValid(stream)) {
            throw new IllegalArgumentException("localStreamNames: '" + stream + "' is not a valid stream name");
        }
    }

    private static FileOutputSpec parse(Kind kind, String stream, Map<String, String> p, Path root, Path targetDir) {
        String group = p.getOrDefault("groupName", stream);
        if (!ConfinedPath.isName(group)) {
            throw new IllegalArgumentException("groupName: '" + group + "' must be a plain folder name");
        }
        String type = p.getOrDefault("playlistType", "appending");
        if (!type.equals("appending") && !type.equals("rolling")) {
            throw new IllegalArgumentException("playlistType must be appending or rolling, not '" + type + "'");
        }
        int length = integer(p, "playlistLength", DEFAULT_PLAYLIST_LENGTH, 1, MAX_PLAYLIST_LENGTH);
        String drm = p.getOrDefault("drmType", "none");
        if (!drm.equals("none") && !drm.equals("ems")) {
            throw new IllegalArgumentException("drmType must be none or ems, not '" + drm + "'");
        }
        if (drm.equals("ems") && kind == Kind.DASH) {
            throw new IllegalArgumentException("drmType ems encrypts HLS segments; DASH output is written in the clear");
        }
        int keys = drm.equals("ems") ? integer(p, "aesKeyCount", 5, 1, 1000) : 0;
        Path folder = ConfinedPath.name(targetDir, group);
        return new FileOutputSpec(kind, stream, root, folder, type.equals("appending"), length,
                bool(p, "audioOnly"), bool(p, "hlsResume"), bool(p, "cleanupDestination"), keys);
    }

    private static int integer(Map<String, String> p, String name, int fallback, int min, int max) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number " + min + ".." + max + ", not '" + v + "'");
    }

    private static boolean bool(Map<String, String> p, String name) {
        String v = p.getOrDefault(name, "false").trim();
        return switch (v) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
        };
    }
}
