package io.cascade.protocol.flv;

import java.util.HexFormat;

/** Test helper: concatenates hex fields ("17", "00", "00 00 00") into bytes; spaces and underscores are ignored. */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String... fields) {
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            sb.append(f.replace(" ", "").replace("_", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    public static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }
}
