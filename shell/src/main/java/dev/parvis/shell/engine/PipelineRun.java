package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a pipeline, streaming: every object a stage writes goes straight into the next
 * stage's process, so the first object can reach the end before the first command has finished.
 * A stage that needs no more input throws {@link StopUpstream}; the stages before it unwind and
 * the stages after it still end (so {@code Get-VM | Select-Object -First 1 | Sort-Object} works).
 */
final class PipelineRun {
    private final List<Stage> stages = new ArrayList<>();
    private final Pipe sink;
    private final ExecutionBudget budget;
    private Pipe[] outs;
    private boolean[] begun;
    private boolean failed;

    PipelineRun(Pipe sink, ExecutionBudget budget) {
        this.sink = sink;
        this.budget = budget;
    }

    PipelineRun(List<Stage> stages, Pipe sink, ExecutionBudget budget) {
        this(sink, budget);
        this.stages.addAll(stages);
    }

    /** Adds the next stage; returns its index. */
    int add(Stage stage) {
        stages.add(stage);
        return stages.size() - 1;
    }

    /** The index the next added stage will have. */
    int nextIndex() {
        return stages.size();
    }

    private void connect() {
        outs = new Pipe[stages.size()];
        begun = new boolean[stages.size()];
        for (int i = stages.size() - 1; i >= 0; i--) {
            int next = i + 1;
            outs[i] = next == stages.size() ? sink : value -> {
                budget.step();
                stages.get(next).process(value, outs[next]);
            };
        }
    }

    void markFailed() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    StopUpstream stopAt(int stage) {
        return new StopUpstream(this, stage);
    }

    void run() {
        connect();
        try {
            for (int i = 0; i < stages.size(); i++) {
                begin(i);
            }
            stages.get(0).process(Pipe.NO_INPUT, outs[0]);
            for (int i = 0; i < stages.size(); i++) {
                stages.get(i).end(outs[i]);
            }
        } catch (StopUpstream s) {
            if (s.run() != this) {
                throw s;
            }
            finishFrom(s.stage());
        } finally {
            for (Stage s : stages) {
                s.close();
            }
        }
    }

    private void begin(int i) {
        begun[i] = true;
        stages.get(i).begin(outs[i]);
    }

    /** After stage {@code k} stopped its upstream: the stages from it on end (beginning any that had not). */
    private void finishFrom(int k) {
        try {
            for (int i = k; i < stages.size(); i++) {
                if (!begun[i]) {
                    begin(i);
                }
                stages.get(i).end(outs[i]);
            }
        } catch (StopUpstream again) {
            if (again.run() != this || again.stage() <= k) {
                throw again;
            }
            finishFrom(again.stage());
        }
    }
}
