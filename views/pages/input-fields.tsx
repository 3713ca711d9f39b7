// Form fields generated from flow input definitions (the Execute form, and a Pause task's
// onResume inputs): one control per type, defaults prefilled, required marked, errors shown
// beside their field. Values come back through src/server/ui/execute-form.ts.
import type { InputDef } from "../../src/flow/index.ts";

const isExpr = (v: unknown) => typeof v === "string" && v.includes("{{");

/** The value to prefill: what the user sent last time, else a literal default. */
function initial(def: InputDef, sent: Record<string, string | string[]>): string | string[] {
  if (def.id in sent) return sent[def.id];
  const d = def.defaults;
  if (d === undefined || d === null || isExpr(d)) return "";
  if (Array.isArray(d)) return d.map(String);
  if (typeof d === "object") return JSON.stringify(d, null, 2);
  if (def.type === "DATETIME" && typeof d === "string") return d.replace(/Z$/, "").slice(0, 16);
  return String(d);
}

function Control({ def, value }: { def: InputDef; value: string | string[] }) {
  const name = def.id;
  const v = Array.isArray(value) ? value[0] ?? "" : value;
  const req = def.required !== false && (def.defaults === undefined || def.defaults === null);
  const common = { id: `in-${name}`, name, required: req || undefined };
  switch (def.type) {
    case "INT":
      return <input type="number" step="1" min={def.min as number} max={def.max as number} value={v} {...common} />;
    case "FLOAT":
      return <input type="number" step="any" min={def.min as number} max={def.max as number} value={v} {...common} />;
    case "BOOLEAN":
    case "BOOL":
      return (
        <select {...common}>
          {!req && <option value="">(unset)</option>}
          <option value="true" selected={v === "true"}>true</option>
          <option value="false" selected={v === "false"}>false</option>
        </select>
      );
    case "SELECT":
    case "ENUM":
      return (
        <select {...common}>
          {!req && <option value="">(unset)</option>}
          {(def.values ?? []).map((o) => <option value={o} selected={o === v}>{o}</option>)}
        </select>
      );
    case "MULTISELECT": {
      const chosen = new Set(Array.isArray(value) ? value : value ? [value] : []);
      return (
        <select multiple size={Math.min(6, (def.values ?? def.options ?? []).length || 1)} {...common}>
          {(def.values ?? def.options ?? []).map((o) => <option value={o} selected={chosen.has(o)}>{o}</option>)}
        </select>
      );
    }
    case "DATETIME":
      return <input type="datetime-local" step="1" value={v} {...common} />;
    case "DATE":
      return <input type="date" value={v} {...common} />;
    case "TIME":
      return <input type="time" step="1" value={v} {...common} />;
    case "EMAIL":
      return <input type="email" value={v} {...common} />;
    case "URI":
      return <input type="url" value={v} {...common} />;
    case "SECRET":
      return <input type="password" autocomplete="off" value={v} {...common} />;
    case "FILE":
      return <input type="file" accept={def.extension} {...common} />;
    case "JSON":
    case "YAML":
    case "ARRAY":
      return <textarea rows={4} placeholder={def.type === "ARRAY" ? "JSON list, e.g. [1, 2]" : def.type} {...common}>{v}</textarea>;
    case "DURATION":
      return <input type="text" placeholder="PT5M" value={v} {...common} />;
    default:
      return <input type="text" value={v} {...common} />;
  }
}

export function InputFields({ inputs, sent = {}, errors = {} }: { inputs: InputDef[]; sent?: Record<string, string | string[]>; errors?: Record<string, string> }) {
  return (
    <>
      {inputs.map((def) => {
        const req = def.required !== false;
        return (
          <>
            <label for={`in-${def.id}`}>
              <b>{def.displayName ?? def.id}</b>{req && <span class="req" title="required"> *</span>}
              <div class="hint">{def.type}{isExpr(def.defaults) ? ` · default ${String(def.defaults)}` : ""}</div>
            </label>
            <div>
              <Control def={def} value={initial(def, sent)} />
              {def.description && <div class="hint">{def.description}</div>}
              {errors[def.id] && <div class="error-box">{errors[def.id]}</div>}
            </div>
          </>
        );
      })}
    </>
  );
}

/** Whether a form with these inputs must be sent as multipart (file uploads). */
export const hasFile = (inputs: InputDef[]) => inputs.some((i) => i.type === "FILE");
