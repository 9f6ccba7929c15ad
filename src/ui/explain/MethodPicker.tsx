import { methodUnavailable } from '../../engine/explain/availability';
import { METHOD_GROUPS } from '../../engine/explain/descriptor';
import { descriptorOf, METHOD_IDS, type MethodId } from '../../engine/explain/registry';
import { useApp } from '../store-context';

/** The methods by picker group, in registry order within each group. */
export function methodsByGroup(): { label: string; methods: MethodId[] }[] {
  return METHOD_GROUPS.map((label) => ({ label, methods: METHOD_IDS.filter((m) => descriptorOf(m).group === label) })).filter((g) => g.methods.length);
}

/** Every method, grouped, with the ones this model cannot run marked and explained. */
export function MethodPicker() {
  const method = useApp((s) => s.explainSettings.method);
  const layer = useApp((s) => s.explainSettings.layer);
  const support = useApp((s) => s.support);
  const setSettings = useApp((s) => s.setExplainSettings);
  return (
    <label className="method-picker">
      Method
      <select aria-label="Method" value={method} onChange={(e) => setSettings({ method: e.target.value as MethodId })} data-testid="method-picker">
        {methodsByGroup().map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.methods.map((m) => {
              const why = methodUnavailable(m, support, layer);
              return (
                <option key={m} value={m} title={why ?? descriptorOf(m).reference}>
                  {descriptorOf(m).label}
                  {why ? ' (not for this model)' : ''}
                </option>
              );
            })}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
