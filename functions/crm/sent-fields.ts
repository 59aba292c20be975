/** The fields a PATCH body actually carries (null counts: it clears the field). */
export function sentFields<T extends object>(patch: T): Array<keyof T & string> {
  return (Object.keys(patch) as Array<keyof T & string>).filter((k) => patch[k] !== undefined);
}
