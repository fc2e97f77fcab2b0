package io.cascade.protocol.mp4;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Test-only ISOBMFF reader: splits bytes into boxes, descends into the containers this writer produces, and fails on any
 * size that does not fit its parent exactly. Independent of the writer's code, so it checks the layout, not itself.
 */
final class BoxWalker {
    /** Boxes made only of boxes. */
    private static final List<String> CONTAINERS = List.of("moov", "trak", "mdia", "minf", "dinf", "stbl", "mvex", "moof",
            "traf");

    private BoxWalker() {
    }

    /** One box: offset of its size field in the whole file, total size, and its children (empty for leaves). */
    record Box(String type, int offset, int size, List<Box> children) {
        int payloadOffset() {
            return offset + 8;
        }

        int end() {
            return offset + size;
        }

        /** Body of a FullBox: after version and flags. */
        int fullBoxBody() {
            return offset + 12;
        }

        Box child(String childType) {
            return children.stream().filter(b -> b.type.equals(childType)).findFirst()
                    .orElseThrow(() -> new AssertionError(type + " has no " + childType + ": " + types(children)));
        }

        /** Descends through slash-separated child types: "trak/mdia/mdhd". */
        Box path(String path) {
            Box box = this;
            for (String part : path.split("/")) {
                box = box.child(part);
            }
            return box;
        }

        List<String> childTypes() {
            return types(children);
        }
    }

    static List<Box> parse(byte[] data) {
        return parse(data, 0, data.length);
    }

    static List<Box> parse(byte[] data, int from, int to) {
        List<Box> boxes = new ArrayList<>();
        int p = from;
        while (p < to) {
            if (to - p < 8) {
                throw new AssertionError("box header truncated at " + p);
            }
            long size = u32(data, p);
            String type = fourCc(data, p + 4);
            if (size < 8 || size > to - p) {
                throw new AssertionError(type + " at " + p + " has size " + size + ", " + (to - p) + " left in parent");
            }
            boxes.add(new Box(type, p, (int) size, children(data, type, p, p + (int) size)));
            p += (int) size;
        }
        return boxes;
    }

    private static List<Box> children(byte[] data, String type, int start, int end) {
        if (CONTAINERS.contains(type)) {
            return parse(data, start + 8, end);
        }
        switch (type) {
            case "stsd":
            case "dref":
                return parse(data, start + 16, end); // FullBox header, entry_count
            case "avc1":
            case "hvc1":
                return parse(data, start + 8 + 78, end); // VisualSampleEntry fields
            case "mp4a":
                return parse(data, start + 8 + 28, end); // AudioSampleEntry fields
            default:
                return List.of();
        }
    }

    static List<String> types(List<Box> boxes) {
        return boxes.stream().map(Box::type).collect(Collectors.toList());
    }

    static Box only(List<Box> boxes, String type) {
        List<Box> found = boxes.stream().filter(b -> b.type().equals(type)).collect(Collectors.toList());
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " " + type + " boxes in " + types(boxes));
        }
        return found.get(0);
    }

    static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) << 24 | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
    }

    static int u16(byte[] d, int p) {
        return (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
    }

    static long u64(byte[] d, int p) {
        return u32(d, p) << 32 | u32(d, p + 4);
    }

    static String fourCc(byte[] d, int p) {
        return new String(d, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
