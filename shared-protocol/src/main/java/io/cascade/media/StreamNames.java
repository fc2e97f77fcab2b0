package io.cascade.media;

import java.util.regex.Pattern;

/** The one rule for stream, application and file names that come from the network. */
public final class StreamNames {
    /** Long enough for any real naming scheme, short enough to be a cheap map key and log field. */
    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");

    private StreamNames() {
    }

    /** True when the name is safe as a map key, event-bus address part and file name (no "." or ".." alone). */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }
}
