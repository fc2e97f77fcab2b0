package io.cascade.cluster;

import io.cascade.media.StreamNames;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The ingest points of a cluster as one JSON file under a node's data.dir, rewritten whole (temporary file, then
 * an atomic move) so a crash mid-write leaves the previous version:
 * {@code {"version":1,"ingestPoints":[{"privateStreamName":"..","publicStreamName":".."}]}}.
 */
public final class IngestPointSnapshot {
    public static final String FILE_NAME = "ingest-points.json";
    static final int VERSION = 1;
    /**
     * Largest file read: {@link IngestPointStore#MAX_POINTS} entries of two 128-byte names with their keys and
     * punctuation take under 32 MB; anything larger was not written by us.
     */
    public static final long MAX_BYTES = 32L * 1024 * 1024;

    private IngestPointSnapshot() {
    }

    public static void write(Path file, List<IngestPoint> points) throws IOException {
        JsonArray items = new JsonArray();
        for (IngestPoint p : points) {
            items.add(new JsonObject().put("privateStreamName", p.privateName()).put("publicStreamName", p.publicName()));
        }
        byte[] bytes = new JsonObject().put("version", VERSION).put("ingestPoints", items).encodePrettily()
                .getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The points in the file, an empty list when there is no file. A file that is too large or damaged is an
     * error, never an empty list: the node must not start and then overwrite it with nothing.
     */
    public static List<IngestPoint> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IOException(file + ": " + size + " bytes, more than the " + MAX_BYTES + " an ingest point file may have");
        }
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /**
     * The points in a file's bytes; {@code what} names the file in messages. Anything but a well-formed file of this
     * version, within its bounds, with valid names throughout, is an {@link IOException}, and nothing else escapes.
     */
    static List<IngestPoint> parse(String what, byte[] content) throws IOException {
        if (content.length > MAX_BYTES) {
            throw new IOException(what + ": " + content.length + " bytes, more than the " + MAX_BYTES
                    + " an ingest point file may have");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(what + ": not UTF-8 text");
        }
        JsonObject doc;
        try {
            doc = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new IOException(what + ": not a JSON object: " + e.getMessage());
        }
        if (!Integer.valueOf(VERSION).equals(doc.getValue("version")) || !(doc.getValue("ingestPoints") instanceof JsonArray items)) {
            throw new IOException(what + ": not an ingest point file of version " + VERSION);
        }
        if (items.size() > IngestPointStore.MAX_POINTS) {
            throw new IOException(what + ": " + items.size() + " ingest points, more than " + IngestPointStore.MAX_POINTS);
        }
        List<IngestPoint> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.getValue(i);
            String priv = item instanceof JsonObject o && o.getValue("privateStreamName") instanceof String s ? s : null;
            String pub = item instanceof JsonObject o && o.getValue("publicStreamName") instanceof String s ? s : null;
            if (!StreamNames.isValid(priv) || !StreamNames.isValid(pub)) {
                throw new IOException(what + ": entry " + i + " has no valid privateStreamName and publicStreamName");
            }
            out.add(new IngestPoint(priv, pub));
        }
        return out;
    }
}
