/*
 * The rehearsal runner: one MiniCluster and the Flink SQL planner in one JVM, driven by
 * dli_flink.rehearse.runner over stdin (one JSON command a line) and stdout (one JSON answer a line).
 *
 * Why a JVM of our own: the verdict must come from the real planner (operator ids follow the graph's
 * shape) and the real restore (state mapping, serializer compatibility), on the Flink minor version
 * DLI runs. Everything else (status, checkpoints, stop-with-savepoint, exceptions) goes over Flink's
 * REST API from Python, so this stays small. It compiles unchanged against Flink 1.12, 1.15 and 1.17
 * (`javac --release 8` with that version's jars): the one API that differs is called reflectively.
 *
 * Commands:
 *   {"op":"submit","statements":[{"sql":..,"insert":bool}],"conf":{..},"parallelism":N,
 *    "savepoint":path|null,"allowNonRestored":bool,"dry":bool}
 *     -> {"ok":true,"job":id,"operators":[{"id","name","parallelism","inputs"}]} (no job if dry)
 *      | {"ok":false,"stage":"compile"|"submit","causes":[..]}
 *   {"op":"inspect","path":savepoint} -> {"ok":true,"operators":[{"id","size","subtasks"}]}
 *   {"op":"exit"} (or stdin closed) -> the MiniCluster is closed and the JVM exits.
 */
package dliflink.rehearse;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

public final class Runner {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The protocol's stream: System.out is pointed at stderr, where the print sink writes. */
    private static final PrintStream ANSWERS = System.out;

    private final MiniCluster cluster;

    private Runner(MiniCluster cluster) {
        this.cluster = cluster;
    }

    public static void main(String[] args) throws Exception {
        System.setOut(System.err);
        Configuration conf = new Configuration();
        conf.setString("rest.bind-address", "127.0.0.1");
        conf.setString("rest.address", "127.0.0.1");
        conf.setString("rest.port", "0");
        conf.setString("jobmanager.bind-host", "127.0.0.1");
        conf.setString("taskmanager.bind-host", "127.0.0.1");
        conf.setString("taskmanager.host", "127.0.0.1");
        conf.setString("web.refresh-interval", "200");
        conf.setString("io.tmp.dirs", System.getProperty("java.io.tmpdir"));
        conf.setString("state.checkpoints.dir", new File(args[1]).toURI().toString());
        conf.setString("state.savepoints.dir", new File(args[2]).toURI().toString());
        MiniClusterConfiguration config = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(Integer.parseInt(args[0]))
                .setCommonBindAddress("127.0.0.1")
                .build();
        MiniCluster cluster = new MiniCluster(config);
        cluster.start();
        ObjectNode ready = JSON.createObjectNode();
        ready.put("ok", true);
        ready.put("rest", cluster.getRestAddress().get().toString());
        answer(ready);
        new Runner(cluster).serve();
    }

    private void serve() {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode command = JSON.readTree(line);
                String op = command.path("op").asText();
                if ("exit".equals(op)) {
                    break;
                }
                try {
                    answer("submit".equals(op) ? submit(command) : inspect(command.get("path").asText()));
                } catch (Throwable error) {
                    answer(failure("runner", error));
                }
            }
        } catch (Throwable error) {
            error.printStackTrace();
        }
        shutdown();
    }

    /** Close the cluster, but never hang: the Python side waits for this process to end. */
    private void shutdown() {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                return;
            }
            Runtime.getRuntime().halt(0);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            cluster.closeAsync().get();
        } catch (Throwable ignored) {
            // exiting anyway
        }
        Runtime.getRuntime().halt(0);
    }

    private ObjectNode submit(JsonNode command) throws Exception {
        Configuration conf = new Configuration();
        Iterator<Map.Entry<String, JsonNode>> entries = command.get("conf").fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            conf.setString(entry.getKey(), entry.getValue().asText());
        }
        Capture env = new Capture(conf);
        env.setParallelism(command.get("parallelism").asInt());
        StreamGraph graph;
        try {
            StreamTableEnvironment tables = StreamTableEnvironment.create(env, settings());
            tables.getConfig().getConfiguration().addAll(conf);
            StatementSet inserts = tables.createStatementSet();
            for (JsonNode statement : command.get("statements")) {
                String sql = statement.get("sql").asText();
                if (statement.get("insert").asBoolean()) {
                    inserts.addInsertSql(sql);
                } else {
                    tables.executeSql(sql);
                }
            }
            inserts.execute();
            throw new IllegalStateException("the planner submitted no job");
        } catch (Throwable error) {
            if (env.graph == null) {
                return failure("compile", error);
            }
            graph = env.graph;
        }
        ArrayNode operators = operators(graph);
        if (command.path("dry").asBoolean()) {
            ObjectNode answer = JSON.createObjectNode();
            answer.put("ok", true);
            answer.set("operators", operators);
            return answer;
        }
        JobGraph job = graph.getJobGraph();
        JsonNode savepoint = command.get("savepoint");
        if (savepoint != null && !savepoint.isNull()) {
            job.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(
                    savepoint.asText(), command.get("allowNonRestored").asBoolean()));
        }
        ObjectNode answer;
        try {
            answer = JSON.createObjectNode();
            answer.put("ok", true);
            answer.put("job", cluster.submitJob(job).get().getJobID().toString());
        } catch (Throwable error) {
            answer = failure("submit", error);
        }
        answer.set("operators", operators);
        return answer;
    }

    /** Flink 1.12's default planner is the legacy one: ask for the Blink planner where it exists. */
    private static EnvironmentSettings settings() throws Exception {
        EnvironmentSettings.Builder builder = EnvironmentSettings.newInstance();
        for (Method method : builder.getClass().getMethods()) {
            if (method.getName().equals("useBlinkPlanner") && method.getParameterCount() == 0) {
                builder = (EnvironmentSettings.Builder) method.invoke(builder);
            }
        }
        return builder.inStreamingMode().build();
    }

    /** Every operator with the id its state is saved under (the same hasher the JobGraph uses). */
    private static ArrayNode operators(StreamGraph graph) {
        Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(graph);
        ArrayNode operators = JSON.createArrayNode();
        for (StreamNode node : graph.getStreamNodes()) {
            ObjectNode operator = operators.addObject();
            operator.put("id", new OperatorID(hashes.get(node.getId())).toString());
            operator.put("name", node.getOperatorName());
            operator.put("parallelism", node.getParallelism());
            ArrayNode inputs = operator.putArray("inputs");
            for (StreamEdge edge : node.getInEdges()) {
                inputs.add(new OperatorID(hashes.get(edge.getSourceId())).toString());
            }
        }
        return operators;
    }

    /** The state a savepoint holds per operator, from its metadata file. */
    private static ObjectNode inspect(String path) throws Exception {
        CheckpointMetadata metadata;
        try (DataInputStream in = new DataInputStream(new FileInputStream(new File(path, "_metadata")))) {
            metadata = Checkpoints.loadCheckpointMetadata(in, Runner.class.getClassLoader(), path);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("ok", true);
        ArrayNode operators = answer.putArray("operators");
        for (OperatorState state : metadata.getOperatorStates()) {
            ObjectNode operator = operators.addObject();
            operator.put("id", state.getOperatorID().toString());
            operator.put("size", state.getStateSize());
            operator.put("hasState", state.getCoordinatorState() != null || state.getStates().stream()
                    .anyMatch(subtask -> subtask.hasState()));
        }
        return answer;
    }

    private static ObjectNode failure(String stage, Throwable error) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("ok", false);
        answer.put("stage", stage);
        ArrayNode causes = answer.putArray("causes");
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            causes.add(cause.getClass().getName() + ": " + cause.getMessage());
            if (cause.getCause() == cause) {
                break;
            }
        }
        return answer;
    }

    private static void answer(ObjectNode answer) {
        ANSWERS.println(answer.toString());
        ANSWERS.flush();
    }

    /** Keeps the StreamGraph the planner would run instead of running it: the runner submits it
     * itself, with the savepoint settings, after noting each operator's id. */
    private static final class Capture extends StreamExecutionEnvironment {
        StreamGraph graph;

        Capture(Configuration conf) {
            super(conf);
        }

        @Override
        public JobClient executeAsync(StreamGraph streamGraph) {
            graph = streamGraph;
            throw new IllegalStateException("captured");
        }
    }
}
