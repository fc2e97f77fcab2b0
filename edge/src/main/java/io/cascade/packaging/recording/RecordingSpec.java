package io.cascade.packaging.recording;

import io.cascade.files.ConfinedPath;
import io.cascade.media.StreamNames;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One recording as asked for: EMS's {@code record} verb, or an RTMP publish of type {@code record} / {@code append}.
 *
 * @param stream        the stream recorded (its public name)
 * @param path          the file's path under the recording folder, {@code /}-separated, with the format's extension
 * @param root          the recording folder ({@code recording.dir}): every file stays inside it
 * @param overwrite     a file of the same name is replaced; otherwise the call is refused when the first file exists,
 *                      and a later file whose name is taken gets the next free number
 * @param chunkLengthMs 0, or the length after which a new file starts, at the first video keyframe past it (the
 *                      first frame past it without video)
 * @param origin        who asked: the API, or a publisher (whose recording lasts as long as its publish)
 */
public record RecordingSpec(String stream, Format format, String path, Path root, boolean overwrite,
                            long chunkLengthMs, Origin origin) {
    /** Longest chunkLength: a day. A longer file is no chunk. */
    public static final long MAX_CHUNK_SECONDS = 86_400;

    public enum Format {
        MP4, TS, FLV;

        String extension() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The format whose extension the file name has, or null. */
        static Format of(String fileName) {
            int dot = fileName.lastIndexOf('.');
            if (dot < 0) {
                return null;
            }
            String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.extension().equals(ext)) {
                    return f;
                }
            }
            return null;
        }
    }

    public enum Origin {
        API("api"), PUBLISH_RECORD("rtmp record"), PUBLISH_APPEND("rtmp append");

        private final String shown;

        Origin(String shown) {
            this.shown = shown;
        }

        String shown() {
            return shown;
        }
    }

    /** Whether the recording ends with the publish that asked for it. */
    boolean untilUnpublish() {
        return origin != Origin.API;
    }

    /** The first file, as named without a number or with number 1. */
    Path file() {
        return ConfinedPath.resolve(root, path);
    }

    /**
     * The spec of a {@code record} call; IllegalArgumentException naming the parameter that is wrong. Text checks only:
     * {@link ConfinedPath#requireInside} checks the disk before anything is made.
     */
    public static RecordingSpec parse(Map<String, String> p, Path root) {
        String stream = p.get("localStreamName");
        if (stream == null || !StreamNames.isValid(stream)) {
            throw new IllegalArgumentException("localStreamName must be a stream name ([A-Za-z0-9._-], at most "
                    + StreamNames.MAX_LENGTH + ")" + (stream == null ? "" : ", not '" + shown(stream) + "'"));
        }
        String given = p.getOrDefault("pathToFile", stream);
        String refused = ConfinedPath.refusal(given);
        if (refused != null) {
            throw new IllegalArgumentException("pathToFile: " + refused
                    + "; it must be a file path relative to recording.dir and inside it");
        }
        String typeText = p.get("type");
        Format format;
        if (typeText == null || typeText.isEmpty()) {
            format = Format.of(given) != null ? Format.of(given) : Format.MP4;
        } else {
            format = Format.of("." + typeText);
            if (format == null) {
                throw new IllegalArgumentException("type must be mp4, ts or flv, not '" + shown(typeText) + "'");
            }
        }
        String path = given.toLowerCase(Locale.ROOT).endsWith("." + format.extension()) ? given
                : given + "." + format.extension();
        if (ConfinedPath.refusal(path) != null) {
            throw new IllegalArgumentException("pathToFile: " + ConfinedPath.refusal(path));
        }
        long chunkSeconds = number(p, "chunkLength", 0, MAX_CHUNK_SECONDS);
        return new RecordingSpec(stream, format, path, root, flag(p, "overwrite"), chunkSeconds * 1000, Origin.API);
    }

    /** What an RTMP publish of type record or append records: {@code <stream>.flv} in the folder, as EMS does. */
    public static RecordingSpec ofPublish(String stream, boolean append, Path root) {
        return new RecordingSpec(stream, Format.FLV, stream + ".flv", root, !append, 0,
                append ? Origin.PUBLISH_APPEND : Origin.PUBLISH_RECORD);
    }

    /** As the node keeps it in its data folder, to resume it after a restart. */
    JsonObject toJson() {
        return new JsonObject().put("localStreamName", stream).put("type", format.extension()).put("pathToFile", path)
                .put("overwrite", overwrite ? "1" : "0").put("chunkLength", String.valueOf(chunkLengthMs / 1000));
    }

    private static long number(Map<String, String> p, String name, long min, long max) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            return min;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number of seconds " + min + ".." + max + ", not '"
                + shown(v) + "'");
    }

    private static boolean flag(Map<String, String> p, String name) {
        String v = p.getOrDefault(name, "0").trim();
        return switch (v) {
            case "1", "true" -> true;
            case "0", "false", "" -> false;
            default -> throw new IllegalArgumentException(name + " must be 0 or 1, not '" + shown(v) + "'");
        };
    }

    private static String shown(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
