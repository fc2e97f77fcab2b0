package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.packaging.files.FileOutputSpec;
import io.cascade.packaging.files.FileOutputs;
import io.cascade.origin.ApiServer;
import io.cascade.origin.BalanceApi;
import io.cascade.origin.RecordingApi;
import io.cascade.origin.RecordingControl;
import io.cascade.origin.RelayApi;
import io.cascade.packaging.recording.Recordings;
import io.vertx.core.json.JsonObject;
import io.cascade.origin.StreamApi;
import io.cascade.origin.FileOutputControl;
import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The runtime API on {@code api.port} of origin nodes (loopback unless {@code api.host} says otherwise). */
final class ApiListener implements Listener {
    @Override
    public String name() {
        return "api";
    }

    @Override
    public List<Endpoint> endpoints(NodeConfig config) {
        return Endpoint.tcp(NodeSettings.API_PORT, config.value(NodeSettings.API_HOST), config);
    }

    @Override
    public List<String> protocols() {
        return List.of();
    }

    @Override
    public boolean tls(NodeConfig config) {
        return config.value(NodeSettings.API_TLS);
    }

    @Override
    public boolean wanted(Set<Role> roles) {
        return roles.contains(Role.ORIGIN);
    }

    @Override
    public Future<Bound> start(NodeServices node, Endpoint at) {
        String token = node.config.value(NodeSettings.API_TOKEN);
        ApiServer api = new ApiServer(node.vertx, node.ingestPoints, token,
                fileOutputControl(node.fileOutputs), node.authorisation.tokens(),
                new BalanceApi(node.vertx, node.balancing.board(), node.balancing.balance()), new RelayApi(node.relays),
                new StreamApi(node.registry, node.streams, node.relays), new RecordingApi(recordingControl(node.recordings)));
        boolean secure = tls(node.config);
        return api.listen(at.host(), at.port(), secure ? node.tls.sslOptions() : null).map(server -> {
            if (secure) {
                node.tls.register(server::updateSSLOptions);
            }
            return new Bound(at.host(), server.actualPort(), (secure ? "TLS, " : "")
                    + (token.isEmpty() ? "no token: loopback use only" : "token required"));
        });
    }

    /** The API's view of the node's recordings. */
    static RecordingControl recordingControl(Recordings recordings) {
        if (recordings == null) {
            return RecordingControl.NONE;
        }
        return new RecordingControl() {
            @Override
            public Future<JsonObject> record(Map<String, String> params) {
                return recordings.record(params);
            }

            @Override
            public JsonArray list() {
                return recordings.list();
            }

            @Override
            public Future<JsonArray> stop(Long id, String stream) {
                return recordings.stop(id, stream);
            }
        };
    }

    /** The API's view of the origin's file outputs. */
    static FileOutputControl fileOutputControl(FileOutputs outputs) {
        if (outputs == null) {
            return FileOutputControl.NONE;
        }
        return new FileOutputControl() {
            @Override
            public Future<JsonArray> create(boolean dash, Map<String, String> params) {
                return outputs.create(dash ? FileOutputSpec.Kind.DASH : FileOutputSpec.Kind.HLS, params);
            }

            @Override
            public JsonArray list() {
                return outputs.list();
            }

            @Override
            public boolean remove(long id) {
                return outputs.remove(id);
            }
        };
    }
}
