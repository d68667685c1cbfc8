// swagger-ui-dist ships no types; this is the one file of it the services load (the folder of its assets).
declare module 'swagger-ui-dist/absolute-path.js' {
  const getAbsoluteFSPath: () => string;
  export default getAbsoluteFSPath;
}
