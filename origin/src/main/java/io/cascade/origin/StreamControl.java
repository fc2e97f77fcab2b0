package io.cascade.origin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * What the stream verbs ({@link StreamApi}) ask of the cluster's nodes: each node knows its own publishers and
 * viewers, and the node that runs the API gathers their answers. The node implements it over the event bus; the API
 * shapes the answers. Every gathering answers with what came in time: a node that did not answer is named, never a
 * reason to fail the whole call.
 */
public interface StreamControl {
    /** The nodes' answers, in no particular order, and the nodes that did not answer in time. */
    record Answers(List<JsonObject> answers, List<String> unanswered) {
        public Answers {
            answers = List.copyOf(answers);
            unanswered = List.copyOf(unanswered);
        }
    }

    /** The ids of the cluster's members now, this node's included. */
    List<String> nodes();

    /**
     * What every node knows of these streams ({@code null}: of every stream it has), one answer per node:
     * <pre>
     * {"node": "edge-1",
     *  "publications": [{"name", "protocol", "peer", "startedAt", "bytesIn", "bitsPerSecond" (once measured),
     *                    "tracks": [{"track", "type", "codec", "codecs", "width", "height", "frameRate",
     *                                "sampleRate", "channels"}]}],
     *  "viewers": {"stream": {"protocol": count}}}
     * </pre>
     * Publications are those this node ingests (public names only); viewers those that joined their stream here.
     */
    Future<Answers> streams(Set<String> names);

    /**
     * Ends the stream's publisher on {@code node}, the way its protocol ends one (an encoder sees its connection
     * close; a pull connects again unless removed); true when the node had one.
     */
    Future<Boolean> endPublisher(String node, String stream);

    /**
     * The client connections of these nodes, at most {@code limit} from each: one answer per node,
     * {@code {"node", "total", "connections": [{"node", "direction": "publish"|"play", "protocol", "stream", "peer",
     * "bytesIn", "bytesOut", "startedAt", "durationMs"}]}} ({@code total} counts those left out too).
     */
    Future<Answers> connections(List<String> nodes, int limit);

    /** The node that runs the API: its id, roles, version, start and uptime, the cluster's members and its load. */
    JsonObject serverInfo();
}
