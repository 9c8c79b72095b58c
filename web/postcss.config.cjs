// postcss-preset-mantine gives CSS files Mantine's mixins and rem() helpers.
module.exports = {
  plugins: {
    'postcss-preset-mantine': {},
  },
};
