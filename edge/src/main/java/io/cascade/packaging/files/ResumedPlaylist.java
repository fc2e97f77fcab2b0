package io.cascade.packaging.files;

import io.cascade.files.ConfinedPath;
import io.cascade.protocol.hls.HlsPlaylist;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An earlier run's HLS playlist as hlsResume reads it back from the output's folder: the segments a file output
 * lists again before its own, and the numbers its own continue from.
 *
 * <p>The playlist is a file anyone with access to the folder could have written, so reading it is pure text work
 * with every size bounded, and it never throws but an IllegalArgumentException saying why a playlist is refused as
 * a whole. What is kept and what is refused:
 * <ul>
 *   <li>A segment URI is kept only when it is a plain {@code .ts} file name in the folder (one a rolling playlist may
 *   later delete); any other URI (a path, {@code ..}, an absolute path, a URL) is left out of the playlist, counted in
 *   {@link #ignored}, and never touched. Sequence numbers stay consecutive: a URI left out takes no number.</li>
 *   <li>At most {@link #MAX_SEGMENTS} segments are kept, the newest, as many as an appending output lists; older
 *   ones are left out (counted in {@link #dropped}) and never touched.</li>
 *   <li>Refused: more than {@link #MAX_BYTES}, text that is not UTF-8, a media or discontinuity sequence number
 *   that is not a decimal number up to {@link #MAX_SEQUENCE} (or one that is not before the first segment, or given
 *   twice), an EXTINF that is not a decimal number of seconds up to {@link #MAX_SEGMENT_MILLIS}, and an EXT-X-KEY
 *   that cannot be listed again as it was: not an attribute list (a quote in an unquoted value included), a method
 *   other than NONE or AES-128, an IV (the playlist written again gives none), or no URI, or one longer than
 *   {@link #MAX_KEY_URI_CHARS} or holding a control character. A key URI is only listed again, never opened.</li>
 * </ul>
 * Other tags are skipped. A segment without an EXTINF of its own takes the duration of the one before (0 for the
 * first). Discontinuities are counted as the playlist written again from the kept segments gives them: one for a kept
 * segment however many EXT-X-DISCONTINUITY tags came before it (and since the kept segment before it), none for tags
 * after the last one (the output's own next segment follows a discontinuity anyway), so that the sequence numbers of
 * the playlist written again agree with its tags.
 *
 * @param mediaSequence   the number of the playlist's first segment (EXT-X-MEDIA-SEQUENCE; 0 without it)
 * @param discontinuities the discontinuity sequence number of the last segment kept (EXT-X-DISCONTINUITY-SEQUENCE,
 *                        0 without it, plus one for each kept segment that EXT-X-DISCONTINUITY tags came before, the
 *                        first included); a file output's own discontinuities continue from it
 * @param segments        the segments kept, oldest first, numbered consecutively
 * @param nextSequence    the number of the segment after the playlist's last (the media sequence when it has none)
 * @param dropped         the oldest segments left out because more than {@link #MAX_SEGMENTS} were listed
 * @param ignored         URIs left out because they are not plain .ts file names
 * @param firstIgnored    the first of those, {@linkplain #printable made printable}; null when none was
 */
record ResumedPlaylist(long mediaSequence, long discontinuities, List<HlsPlaylist.Segment> segments, long nextSequence,
                       int dropped, int ignored, String firstIgnored) {
    /** Largest playlist read: {@link #MAX_SEGMENTS} entries as a file output writes them take well under this. */
    static final int MAX_BYTES = 32 * 1024 * 1024;
    /** Segments kept at most: as many as an appending playlist lists, so a resumed one never lists more. */
    static final int MAX_SEGMENTS = FileOutput.MAX_APPENDED_SEGMENTS;
    /**
     * Largest media or discontinuity sequence number: 2^53, the largest integer a JavaScript player's numbers hold
     * exactly; a stream of 1 ms segments would take 285,000 years to reach it.
     */
    static final long MAX_SEQUENCE = 1L << 53;
    /** Longest segment: an hour. Segments run over their target only to the next keyframe; none is an hour long. */
    static final long MAX_SEGMENT_MILLIS = 3_600_000;
    /** Longest key URI listed again: a file output's own are {@code key-<n>.key}; a URL fits easily. */
    static final int MAX_KEY_URI_CHARS = 1024;
    /** Longest number read (EXTINF seconds, sequence numbers): any real one fits. */
    private static final int MAX_NUMBER_CHARS = 32;
    /** Characters of a line or URI shown in a reason or a log line. */
    private static final int SHOWN_CHARS = 100;
    /** A segment URI that may be listed and later deleted: a plain .ts name in the folder. */
    private static final Pattern RESUMABLE_SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,125}\\.ts");
    private static final Pattern DECIMAL_INTEGER = Pattern.compile("[0-9]{1,16}");
    private static final Pattern DECIMAL_SECONDS = Pattern.compile("[0-9]+\\.?[0-9]*|\\.[0-9]+");
    private static final String EXTINF = "#EXTINF:";
    private static final String MEDIA_SEQUENCE = "#EXT-X-MEDIA-SEQUENCE:";
    private static final String DISCONTINUITY_SEQUENCE = "#EXT-X-DISCONTINUITY-SEQUENCE:";
    private static final String DISCONTINUITY = "#EXT-X-DISCONTINUITY";
    private static final String KEY = "#EXT-X-KEY:";
    /** The attributes of an EXT-X-KEY line that decide whether and how its segments are listed again. */
    private static final Set<String> KEY_ATTRIBUTES = Set.of("METHOD", "URI", "IV");

    ResumedPlaylist {
        segments = List.copyOf(segments);
    }

    /** The playlist file's bytes: refused when they are more than {@link #MAX_BYTES} or not UTF-8. */
    static ResumedPlaylist parse(byte[] file) {
        if (file.length > MAX_BYTES) {
            throw new IllegalArgumentException(file.length + " bytes: more than a playlist this server writes ("
                    + MAX_BYTES + " at most)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(file)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("it is not UTF-8 text");
        }
        return parse(text);
    }

    /** The playlist's text (lines end with LF or CRLF); IllegalArgumentException saying why when it is refused. */
    static ResumedPlaylist parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("there is no playlist text");
        }
        if (text.length() > MAX_BYTES) {
            throw new IllegalArgumentException(text.length() + " characters: more than a playlist this server writes ("
                    + MAX_BYTES + " bytes at most)");
        }
        long mediaSequence = -1;
        long discontinuitySequence = -1;
        long discontinuities = 0;
        long sequence = 0;
        boolean anyDiscontinuity = false;
        boolean anyUri = false;
        long duration = 0;
        boolean discontinuity = false;
        String key = null;
        ArrayDeque<HlsPlaylist.Segment> kept = new ArrayDeque<>();
        int dropped = 0;
        int ignored = 0;
        String firstIgnored = null;
        int number = 0;
        for (int at = 0; at < text.length(); ) {
            int newline = text.indexOf('\n', at);
            int end = newline < 0 ? text.length() : newline;
            String line = text.substring(at, newline > at && text.charAt(newline - 1) == '\r' ? newline - 1 : end);
            at = end + 1;
            number++;
            if (line.startsWith(EXTINF)) {
                int comma = line.indexOf(',');
                duration = millis(line.substring(EXTINF.length(), comma < 0 ? line.length() : comma).trim(), number, line);
            } else if (line.startsWith(MEDIA_SEQUENCE)) {
                if (mediaSequence >= 0 || anyUri) {
                    throw refused(number, line, mediaSequence >= 0 ? "a second media sequence number"
                            : "a media sequence number after the first segment");
                }
                mediaSequence = sequenceNumber(line.substring(MEDIA_SEQUENCE.length()).trim(), number, line);
                sequence = mediaSequence;
            } else if (line.startsWith(DISCONTINUITY_SEQUENCE)) {
                if (discontinuitySequence >= 0 || anyUri || anyDiscontinuity) {
                    throw refused(number, line, discontinuitySequence >= 0 ? "a second discontinuity sequence number"
                            : "a discontinuity sequence number after the first segment or discontinuity");
                }
                discontinuitySequence = sequenceNumber(line.substring(DISCONTINUITY_SEQUENCE.length()).trim(), number, line);
                discontinuities = discontinuitySequence;
            } else if (line.equals(DISCONTINUITY)) {
                anyDiscontinuity = true;
                discontinuity = true;
            } else if (line.startsWith(KEY)) {
                key = keyUri(line, number);
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                anyUri = true;
                if (!isResumable(line)) {
                    ignored++;
                    firstIgnored = firstIgnored == null ? printable(line) : firstIgnored;
                    continue; // numbers stay consecutive: a playlist has no gaps
                }
                if (kept.size() == MAX_SEGMENTS) {
                    kept.poll();
                    dropped++;
                }
                if (discontinuity) {
                    discontinuities++; // one however many tags came, as the playlist written again gives one
                }
                kept.add(new HlsPlaylist.Segment(sequence++, line, duration, discontinuity, discontinuities, null, 0, key));
                discontinuity = false;
            }
        }
        if (sequence > MAX_SEQUENCE || discontinuities > MAX_SEQUENCE) {
            throw new IllegalArgumentException("its segments' numbers run past " + MAX_SEQUENCE + " (2^53)");
        }
        return new ResumedPlaylist(Math.max(0, mediaSequence), discontinuities, List.copyOf(kept), sequence, dropped,
                ignored, firstIgnored);
    }

    /** A URI that may be listed again and later deleted: a plain .ts file name, directly in the folder. */
    static boolean isResumable(String uri) {
        return RESUMABLE_SEGMENT.matcher(uri).matches() && ConfinedPath.isName(uri);
    }

    /** A line from a file, safe for one log line: control characters replaced, at most 100 characters. */
    static String printable(String line) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < line.length() && i < SHOWN_CHARS; i++) {
            char c = line.charAt(i);
            out.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) ? '?' : c);
        }
        return line.length() > SHOWN_CHARS ? out + "..." : out.toString();
    }

    private static long millis(String seconds, int number, String line) {
        if (seconds.length() > MAX_NUMBER_CHARS || !DECIMAL_SECONDS.matcher(seconds).matches()) {
            throw refused(number, line, "the duration is not a decimal number of seconds");
        }
        double s = Double.parseDouble(seconds);
        if (!(s * 1000 <= MAX_SEGMENT_MILLIS)) {
            throw refused(number, line, "a segment longer than " + MAX_SEGMENT_MILLIS / 1000 + " s");
        }
        return Math.round(s * 1000);
    }

    private static long sequenceNumber(String digits, int number, String line) {
        if (!DECIMAL_INTEGER.matcher(digits).matches() || Long.parseLong(digits) > MAX_SEQUENCE) {
            throw refused(number, line, "not a decimal number from 0 to " + MAX_SEQUENCE + " (2^53)");
        }
        return Long.parseLong(digits);
    }

    /** The key of the segments after an EXT-X-KEY line: its URI, or null for METHOD=NONE. */
    private static String keyUri(String line, int number) {
        Map<String, String> attributes = attributes(line.substring(KEY.length()), number, line);
        String method = attributes.get("METHOD");
        if ("NONE".equals(method)) {
            return null;
        }
        if (!"AES-128".equals(method)) {
            throw refused(number, line, "a key method other than NONE or AES-128, which its segments cannot be listed "
                    + "again with");
        }
        if (attributes.containsKey("IV")) {
            throw refused(number, line, "a key with an IV, which the playlist written again would not give");
        }
        String uri = attributes.get("URI");
        if (uri == null || uri.isEmpty() || uri.length() > MAX_KEY_URI_CHARS) {
            throw refused(number, line, "a key URI that is missing, empty or longer than " + MAX_KEY_URI_CHARS
                    + " characters");
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refused(number, line, "a key URI with a control character");
            }
        }
        return uri;
    }

    /**
     * The key attributes of an attribute list (RFC 8216 4.2): {@code NAME=value} separated by commas, a value quoted
     * when it holds commas; a quoted value is kept without its quotes. Only {@link #KEY_ATTRIBUTES} are kept (however
     * many others a line holds), and the first of two of one name counts.
     */
    private static Map<String, String> attributes(String list, int number, String line) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < list.length()) {
            int equals = list.indexOf('=', i);
            int comma = list.indexOf(',', i);
            if (equals < 0 || (comma >= 0 && comma < equals)) {
                throw refused(number, line, "an attribute without a value");
            }
            String name = list.substring(i, equals).trim();
            String value;
            int next;
            if (equals + 1 < list.length() && list.charAt(equals + 1) == '"') {
                int close = list.indexOf('"', equals + 2);
                if (close < 0) {
                    throw refused(number, line, "a quoted value without its closing quote");
                }
                value = list.substring(equals + 2, close);
                next = close + 1;
                if (next < list.length() && list.charAt(next) != ',') {
                    throw refused(number, line, "text after a quoted value");
                }
            } else {
                next = comma < 0 ? list.length() : comma;
                value = list.substring(equals + 1, next);
                if (value.indexOf('"') >= 0) {
                    // listed again in quotes, it would end them early and add attributes of its own
                    throw refused(number, line, "a quote in a value that is not quoted");
                }
            }
            if (KEY_ATTRIBUTES.contains(name)) {
                out.putIfAbsent(name, value);
            }
            i = next + 1;
        }
        return out;
    }

    private static IllegalArgumentException refused(int number, String line, String why) {
        return new IllegalArgumentException("line " + number + " (" + printable(line) + "): " + why);
    }
}
