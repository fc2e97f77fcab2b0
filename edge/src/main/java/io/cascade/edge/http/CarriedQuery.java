package io.cascade.edge.http;

import io.cascade.auth.Queries;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query of a playlist or manifest request, carried to every URI in the answer, so a token given once (on the
 * first playlist) reaches the playlists, segments and keys a player asks for next. Playlists are built once per
 * stream and shared by every viewer; the query is added to a copy per request, and only when plays are authorised.
 *
 * <p>The query goes into text other programs parse (a playlist line, a quoted attribute, an XML attribute, a DASH
 * template), so it is first made safe ({@link Queries#safe}): percent-encoded, it keeps its meaning as a query and
 * holds no quote, angle bracket, whitespace or DASH {@code $}.
 */
final class CarriedQuery {
    private static final Pattern QUOTED_URI = Pattern.compile("URI=\"([^\"]*)\"");
    private static final Pattern MPD_URL = Pattern.compile("(\\s(?:media|initialization)=\")([^\"]*)\"");

    private CarriedQuery() {
    }

    /** The request's query made safe to carry ({@link Queries#safe}); "" when there is none. */
    static String safe(String raw) {
        return Queries.safe(raw);
    }

    /** An HLS playlist with {@code query} (made {@link #safe}) after every URI: URI lines and URI="" attributes. */
    static String m3u8(String playlist, String query) {
        if (query.isEmpty()) {
            return playlist;
        }
        StringBuilder out = new StringBuilder(playlist.length() + 256);
        for (String line : playlist.split("\n", -1)) {
            if (line.isEmpty()) {
                out.append('\n');
            } else if (line.startsWith("#")) {
                Matcher m = QUOTED_URI.matcher(line);
                out.append(m.replaceAll(r -> Matcher.quoteReplacement("URI=\"" + with(r.group(1), query) + "\"")))
                        .append('\n');
            } else {
                out.append(with(line, query)).append('\n');
            }
        }
        out.setLength(out.length() - 1); // split gave one piece more than there were line ends
        return out.toString();
    }

    /** A DASH MPD with {@code query} (made {@link #safe}) after its SegmentTemplate URLs, XML-escaped. */
    static String mpd(String mpd, String query) {
        if (query.isEmpty()) {
            return mpd;
        }
        Matcher m = MPD_URL.matcher(mpd);
        String escaped = query.replace("&", "&amp;");
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2)
                + (r.group(2).indexOf('?') < 0 ? "?" : "&amp;") + escaped + "\""));
    }

    private static String with(String uri, String query) {
        return uri + (uri.indexOf('?') < 0 ? '?' : '&') + query;
    }
}
