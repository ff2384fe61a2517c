// An orchestrator written in JavaScript (Node.js) that keeps its workflows in baton's
// PostgreSQL tables with plain SQL through node-postgres (`pg`) — no baton code. It follows
// docs/OUTSIDE_WRITERS.md; tests/outside_writers_pg.rs runs it and checks the result with the
// baton binary.
//
//   node pg_writer.js URL seed                  # two workflows; prints {"min": id, "mid": id}
//   node pg_writer.js URL advance ID VERSION    # one advance if still at VERSION;
//                                               # prints {"result": "ok"|"conflict", "version": n}
//   node pg_writer.js URL heartbeat ID
//
// Three things node-postgres does that a writer must know:
// - "current_role" is a reserved word in PostgreSQL: quote it in every statement.
// - bigint columns (`version`, `seq`) come back as strings ("2"): convert with Number().
// - a JS array passed as a parameter becomes a PostgreSQL array, not JSON: pass JSON as
//   JSON.stringify(value) and cast it, `$1::jsonb`.
'use strict';

const { Client } = require('pg');

const ACTOR = 'orchestrator:js';

/** One transaction on one client: BEGIN, the work, COMMIT (ROLLBACK if it throws). */
async function inTransaction(client, work) {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

async function phasesOf(client, definition) {
  const { rows } = await client.query(
    'SELECT phases FROM workflow_definitions WHERE name = $1 ORDER BY version DESC LIMIT 1',
    [definition],
  );
  if (rows.length === 0) throw new Error(`no definition named ${definition}`);
  return rows[0].phases; // jsonb arrives parsed
}

/** The least a writer must write: the four required columns, and its event. */
async function startMinimal(client, buildId, projectId) {
  return inTransaction(client, async () => {
    const { rows } = await client.query(
      'INSERT INTO build_workflows (build_id, project_id, current_state, "current_role")' +
        " VALUES ($1, $2, 'discovery', 'q_assistant') RETURNING id",
      [buildId, projectId],
    );
    const id = rows[0].id;
    await client.query(
      "INSERT INTO workflow_events (workflow_id, event_type) VALUES ($1, 'workflow_started')",
      [id],
    );
    return id;
  });
}

/** A start as baton itself writes one: the row, a checkpoint of the first phase, the event. */
async function start(client, buildId, projectId, userId, metadata) {
  return inTransaction(client, async () => {
    const first = (await phasesOf(client, 'build'))[0];
    const { rows } = await client.query(
      'INSERT INTO build_workflows (build_id, project_id, user_id, definition,' +
        ' current_state, "current_role", metadata, state_entered_at)' +
        " VALUES ($1, $2, $3, 'build', $4, $5, $6::jsonb, now()) RETURNING id",
      [buildId, projectId, userId, first.name, first.role, JSON.stringify(metadata)],
    );
    const id = rows[0].id;
    await client.query(
      'INSERT INTO workflow_checkpoints (workflow_id, state, version) VALUES ($1, $2, 1)',
      [id, first.name],
    );
    await client.query(
      'INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)' +
        " VALUES ($1, 'workflow_started', $2, $3::jsonb)",
      [id, ACTOR, JSON.stringify({ definition: 'build', phase: first.name, role: first.role })],
    );
    return id;
  });
}

/**
 * One advance, if the workflow is still at the version this orchestrator last saw: lock the
 * row (SELECT ... FOR UPDATE), compare the version, write everything, commit.
 * Returns ['ok', newVersion] or ['conflict', currentVersion].
 */
async function advance(client, id, expectedVersion, output) {
  return inTransaction(client, async () => {
    const { rows } = await client.query(
      'SELECT version, status, definition, current_state, "current_role", phase_outputs' +
        ' FROM build_workflows WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (rows.length === 0) throw new Error(`no workflow ${id}`);
    const w = rows[0];
    const version = Number(w.version); // bigint arrives as a string
    if (version !== expectedVersion || w.status !== 'running') {
      return ['conflict', version]; // someone (an operator with baton) changed it: re-read
    }
    const phases = await phasesOf(client, w.definition);
    const i = phases.findIndex((p) => p.name === w.current_state);
    const outputs = { ...w.phase_outputs, [w.current_state]: output };
    if (i + 1 === phases.length) {
      await client.query(
        "UPDATE build_workflows SET status = 'completed', completed_at = now()," +
          ' phase_outputs = $1::jsonb, version = version + 1, updated_at = now()' +
          ' WHERE id = $2 AND version = $3',
        [JSON.stringify(outputs), id, version],
      );
      await client.query(
        'INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)' +
          " VALUES ($1, 'workflow_completed', $2, $3::jsonb)",
        [id, ACTOR, JSON.stringify({ from: w.current_state, output })],
      );
      return ['ok', version + 1];
    }
    const to = phases[i + 1];
    await client.query(
      'UPDATE build_workflows SET current_state = $1, "current_role" = $2,' +
        ' phase_outputs = $3::jsonb, retry_count = 0, version = version + 1,' +
        ' updated_at = now(), state_entered_at = now() WHERE id = $4 AND version = $5',
      [to.name, to.role, JSON.stringify(outputs), id, version],
    );
    const h = await client.query(
      'INSERT INTO workflow_handoffs (workflow_id, from_role, to_role, from_state, to_state,' +
        " kind, data_transferred) VALUES ($1, $2, $3, $4, $5, 'advance', $6::jsonb) RETURNING id",
      [id, w.current_role, to.role, w.current_state, to.name, JSON.stringify(output)],
    );
    await client.query(
      'INSERT INTO workflow_checkpoints (workflow_id, state, phase_outputs, retry_count, version)' +
        ' VALUES ($1, $2, $3::jsonb, 0, $4)',
      [id, to.name, JSON.stringify(outputs), version + 1],
    );
    await client.query(
      'INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)' +
        " VALUES ($1, 'phase_advanced', $2, $3::jsonb)",
      [id, ACTOR, JSON.stringify({
        from: w.current_state, to: to.name, from_role: w.current_role, to_role: to.role,
        handoff_id: h.rows[0].id,
      })],
    );
    return ['ok', version + 1];
  });
}

/** A sign of life: heartbeat_at only; no version bump, no event. */
async function heartbeat(client, id) {
  await client.query('UPDATE build_workflows SET heartbeat_at = now() WHERE id = $1', [id]);
}

async function main() {
  const [url, command, ...args] = process.argv.slice(2);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    if (command === 'seed') {
      const min = await startMinimal(client, 'js-min', 'jsproj');
      const mid = await start(client, 'js-mid', 'jsproj', 'dave', { source: 'node', tags: ['a', 'b'] });
      const [result, version] = await advance(client, mid, 1, { found: [1, 2, 3] });
      if (result !== 'ok' || version !== 2) throw new Error(`advance: ${result} ${version}`);
      console.log(JSON.stringify({ min, mid }));
    } else if (command === 'advance') {
      const [result, version] = await advance(client, args[0], Number(args[1]), { by: 'node' });
      console.log(JSON.stringify({ result, version }));
    } else if (command === 'heartbeat') {
      await heartbeat(client, args[0]);
    } else {
      throw new Error(`unknown command ${command}`);
    }
  } finally {
    await client.end();
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
