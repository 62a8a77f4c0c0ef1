import fs from 'node:fs';
import { referenceFile } from './reference-files';

type Ring = [number, number][];
interface Feature {
  properties: { ubigeo: string; name: string };
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
}

export interface ProjectedArea {
  code: string;
  name: string;
  d: string;
}

const cache = new Map<string, { width: number; height: number; areas: ProjectedArea[] }>();

/**
 * Projects a bundled GeoJSON of Peru to SVG paths with a plain lon/lat → x/y scaling and a
 * cos(latitude) factor (enough for a choropleth; ring winding does not matter with evenodd).
 */
export function projectedAreas(level: 'department' | 'province', width = 560): { width: number; height: number; areas: ProjectedArea[] } {
  const key = `${level}/${width}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = level === 'department' ? 'peru_departamentos.geojson' : 'peru_provincias.geojson';
  const fc = JSON.parse(fs.readFileSync(referenceFile(file), 'utf8')) as { features: Feature[] };
  const polys = (f: Feature): Ring[][] => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates);
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const f of fc.features)
    for (const p of polys(f))
      for (const r of p)
        for (const [lon, lat] of r) {
          minLon = Math.min(minLon, lon);
          maxLon = Math.max(maxLon, lon);
          minLat = Math.min(minLat, lat);
          maxLat = Math.max(maxLat, lat);
        }
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const pad = 4;
  const scale = (width - 2 * pad) / ((maxLon - minLon) * k);
  const height = Math.ceil((maxLat - minLat) * scale + 2 * pad);
  const px = (lon: number) => (pad + (lon - minLon) * k * scale).toFixed(1);
  const py = (lat: number) => (pad + (maxLat - lat) * scale).toFixed(1);
  const areas = fc.features.map((f) => ({
    code: String(f.properties.ubigeo),
    name: String(f.properties.name),
    d: polys(f)
      .flatMap((p) => p.map((r) => `M${r.map(([lon, lat]) => `${px(lon)},${py(lat)}`).join('L')}Z`))
      .join(''),
  }));
  const out = { width, height, areas };
  cache.set(key, out);
  return out;
}
