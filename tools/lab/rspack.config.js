// Production build of the course's JupyterLab front end: build/bundle.js (+ chunks), build/schemas,
// build/themes and build/style.js. Run with `npm run build` in this folder.
const path = require('path');
const rspack = require('@rspack/core');
const { Build } = require('@jupyter/builder');
const miniSVGDataURI = require('mini-svg-data-uri');
const pkg = require('./package.json');

const buildDir = path.resolve(__dirname, 'build');

// Copies the settings schemas of every plugin package to build/schemas, writes build/style.js (the
// packages' stylesheets) and returns one extra config per theme package (build/themes/<name>/index.css).
const themeConfigs = Build.ensureAssets({
  packageNames: [...pkg.jupyterlab.extensions, ...pkg.jupyterlab.mimeExtensions],
  output: buildDir
});

const main = {
  name: 'lab',
  mode: 'production',
  bail: true,
  devtool: false,
  context: __dirname,
  entry: { bundle: './index.js' },
  output: {
    path: buildDir,
    filename: '[name].js',
    chunkFilename: '[name].[contenthash:8].js',
    assetModuleFilename: 'assets/[name].[contenthash:8][ext]',
    hashFunction: 'xxhash64'
  },
  resolve: {
    fallback: {
      url: false,
      buffer: false,
      crypto: false,
      path: require.resolve('path-browserify'),
      process: require.resolve('process/browser')
    }
  },
  module: {
    rules: [
      { test: /(?<!\.raw)\.css$/, use: ['style-loader', 'css-loader'], type: 'javascript/auto' },
      { test: /\.raw\.css$/, type: 'asset/source' },
      { test: /\.(txt|md)$/, type: 'asset/source' },
      { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
      { test: /\.js\.map$/, type: 'asset/resource' },
      { test: /\.(woff2?|ttf|eot)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset/resource' },
      {
        // Inside CSS, SVG becomes a data URI.
        test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
        issuer: /\.css$/,
        type: 'asset',
        generator: {
          dataUrl: {
            content: source => miniSVGDataURI(source.content),
            mimetype: 'image/svg+xml'
          }
        }
      },
      {
        // Imported from JavaScript (LabIcon), SVG is a raw string.
        test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
        issuer: /\.js$/,
        type: 'asset/source'
      },
      { test: /\.m?js$/, type: 'javascript/auto' },
      { test: /\.[cm]?js$/, resolve: { fullySpecified: false } }
    ]
  },
  plugins: [
    new rspack.DefinePlugin({
      // Some dependencies read process.cwd() / process.env (e.g. the path polyfill).
      process: { cwd: () => '/', env: {} }
    })
  ],
  // mathjax-full reads __dirname (only when run under node); mock it without a build warning.
  node: { __dirname: 'mock', __filename: 'mock' },
  performance: { hints: false }
};

module.exports = [main, ...themeConfigs];
