package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpException;
import java.util.Map;

/** Reading {@code a=fmtp} parameters, whose names are compared without case (RFC 3640 and RFC 6184 say so). */
public final class FormatParameters {
    private FormatParameters() {
    }

    /** The value of {@code name}, any case, or null. */
    public static String get(Map<String, String> fmtp, String name) {
        String v = fmtp.get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, String> e : fmtp.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The decimal value of {@code name}, or {@code absent} when it is not given. */
    public static int intValue(Map<String, String> fmtp, String name, int absent) throws RtpException {
        String v = get(fmtp, name);
        if (v == null) {
            return absent;
        }
        v = v.trim();
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new RtpException("format parameter " + name + "=" + v + " is not a small decimal number");
        }
        return Integer.parseInt(v);
    }
}
