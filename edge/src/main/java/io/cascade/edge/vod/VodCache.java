package io.cascade.edge.vod;

import io.cascade.media.MemoryBudget;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Packaged VOD segments and init segments kept for the next request, least recently used dropped first, within a
 * bound on bytes and one on entries, and counted in the node's memory budget (a segment the budget has no room for is
 * served and not kept). Keys name the file's version (path, modification time, size), so a changed file's old
 * segments are never served: they are just not asked for again and age out. Thread-safe.
 */
final class VodCache {
    private final long maxBytes;
    private final int maxEntries;
    private final MemoryBudget.Account account;
    private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    VodCache(long maxBytes, int maxEntries, MemoryBudget.Account account) {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
        this.account = account;
    }

    synchronized byte[] get(String key) {
        return entries.get(key);
    }

    /** Keeps {@code value} if the bounds and the budget allow, dropping the least recently used to make room. */
    synchronized void put(String key, byte[] value) {
        if (value == null || maxEntries == 0 || value.length > maxBytes || entries.containsKey(key)) {
            return;
        }
        Iterator<Map.Entry<String, byte[]>> oldest = entries.entrySet().iterator();
        while (oldest.hasNext() && (bytes + value.length > maxBytes || entries.size() >= maxEntries)) {
            drop(oldest.next().getValue());
            oldest.remove();
        }
        if (!account.tryTake(value.length)) {
            return; // the node's memory budget is spent: served this once, packaged again next time
        }
        entries.put(key, value);
        bytes += value.length;
    }

    private void drop(byte[] value) {
        bytes -= value.length;
        account.give(value.length);
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized void clear() {
        entries.values().forEach(this::drop);
        entries.clear();
    }
}
